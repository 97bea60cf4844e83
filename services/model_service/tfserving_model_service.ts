/**
 * What inference code imports as `model_service/tfserving_model_service` (the name
 * ModelArts uses). Hooks get these exact module instances, and so the process' tfjs.
 */
export { BaseService, HookStageError, STAGES, type HandleResult, type Stage, type Timings } from './base-service';
export { TfServingBaseService } from './tf-serving-base-service';
export { tf } from './runtime';
export { InputError } from './input-error';
export { decodeImage, MAX_IMAGE_PIXELS, type Channels, type DecodedImage, type DecodeOptions } from '../../kernel/image/decode';
export { imageToTensor, toFloatVector, type VectorOptions } from './image/tensor';
export { requestImage, requestImages, type RequestImage, type RequestImageOptions, type SingleImageOptions } from './image/request-images';
