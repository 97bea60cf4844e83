// Inference code of the MNIST tutorial model, in the manner of its customize_service.py:
// each uploaded image becomes a 1x784 vector of pixel/255 (the scaling the boot file
// trained with), the model answers 10 softmax scores, and the top five are returned.
const { TfServingBaseService, decodeImage, toFloatVector, InputError } = require('model_service/tfserving_model_service');

const SIDE = 28;
const TOP_K = 5;

class MnistService extends TfServingBaseService {
  _preprocess(data) {
    const inputs = {};
    for (const [field, files] of Object.entries(data)) {
      if (typeof files !== 'object') continue;
      for (const [fileName, content] of Object.entries(files)) {
        const image = decodeImage(content, { channels: 1 });
        if (image.width !== SIDE || image.height !== SIDE) {
          throw new InputError(`${fileName} is ${image.width}x${image.height} pixels; this model reads 28x28 white-on-black digits`);
        }
        // A flat Float32Array of 784 is one row of [-1, 784]; no per-pixel JS array to build.
        inputs[field] = toFloatVector(image);
      }
    }
    return inputs;
  }

  _postprocess(data) {
    const ranked = data.scores[0]
      .map((score, label) => [String(label), score])
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_K);
    return { predicted_label: ranked[0][0], scores: ranked };
  }
}

module.exports = MnistService;
