/**
 * The images a prediction request carries, whichever way the client sent them: files in
 * multipart fields (`-F images=@digit.png`), or base64 strings in a JSON body
 * (`{"image": "iVBORw0…"}`, a browser's `data:image/png;base64,…` URL included).
 */
import { InputError } from '../input-error';
import { decodeImage, type Channels, type DecodedImage } from '../../../kernel/image/decode';

export interface RequestImage {
  /** The upload's file name, or the JSON key it came in. */
  name: string;
  bytes: Buffer;
}

export interface RequestImageOptions {
  /** Multipart fields to read files from; any field when not given. */
  fields?: string[];
  /** JSON keys whose values are base64 images (a string or a list of them). */
  keys?: string[];
}

const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+(;[\w-]+=[\w.-]+)*;base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function requestImages(data: unknown, options: RequestImageOptions = {}): RequestImage[] {
  const keys = options.keys ?? ['image', 'images'];
  const found: RequestImage[] = [];
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      if (isFileSlot(value) && (!options.fields || options.fields.includes(key))) {
        for (const [name, bytes] of Object.entries(value)) found.push({ name, bytes });
      } else if (keys.includes(key)) {
        const list = Array.isArray(value) ? value : [value];
        list.forEach((v, i) => found.push({ name: list.length > 1 ? `${key}[${i}]` : key, bytes: fromBase64(v, key) }));
      }
    }
  }
  if (!found.length) {
    throw new InputError(
      `the request carries no image: send a multipart file (e.g. -F ${options.fields?.[0] ?? 'images'}=@digit.png) or JSON {"${keys[0]}": "<base64 PNG or JPEG>"}`,
    );
  }
  return found;
}

function isFileSlot(value: unknown): value is Record<string, Buffer> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => Buffer.isBuffer(v));
}

function fromBase64(value: unknown, key: string): Buffer {
  if (typeof value !== 'string') throw new InputError(`"${key}" must be a base64 string (a PNG or JPEG), not ${Array.isArray(value) ? 'a nested list' : typeof value}`);
  const text = value.replace(DATA_URL, '').replace(/\s+/g, '');
  if (!text || !BASE64.test(text)) throw new InputError(`"${key}" is not base64 text: send the image file's bytes base64-encoded`);
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}

export interface SingleImageOptions extends RequestImageOptions {
  channels?: Channels;
  /** The size the model reads; another size is a 400 that says so. */
  width?: number;
  height?: number;
  /** How the model's input is described in that message, e.g. "28x28 white-on-black digits". */
  describe?: string;
}

/** The one image of a request, decoded and checked against the size the model reads. */
export function requestImage(data: unknown, options: SingleImageOptions = {}): DecodedImage {
  const images = requestImages(data, options);
  if (images.length > 1) throw new InputError(`send one image per request (this one has ${images.length})`);
  const { name, bytes } = images[0];
  const image = decodeImage(bytes, { channels: options.channels ?? 1, name });
  const wrongWidth = options.width !== undefined && image.width !== options.width;
  const wrongHeight = options.height !== undefined && image.height !== options.height;
  if (wrongWidth || wrongHeight) {
    const wanted = options.describe ?? `${options.width ?? image.width}x${options.height ?? image.height} images`;
    throw new InputError(`${name} is ${image.width}x${image.height} pixels; this model reads ${wanted}`);
  }
  return image;
}
