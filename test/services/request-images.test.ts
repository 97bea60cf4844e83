import assert from 'node:assert/strict';
import { ApiError } from '../../kernel/errors';
import { requestImage, requestImages } from '../../services/model_service/tfserving_model_service';
import { testDigits } from '../helpers/mnist-model';

const [digit] = testDigits([0]);
const badInput = (pattern: RegExp) => (err: unknown) => err instanceof ApiError && err.kind === 'predict_bad_input' && pattern.test(err.message);

describe('images of a prediction request', () => {
  it('reads a multipart file and a base64 JSON string (a browser data: URL too) as the same bytes', () => {
    const multipart = requestImages({ images: { 'digit.png': digit.png } });
    const json = requestImages({ image: digit.png.toString('base64') });
    const dataUrl = requestImages({ image: `data:image/png;base64,${digit.png.toString('base64')}` });
    const urlSafe = requestImages({ image: digit.png.toString('base64url') });
    assert.deepEqual(multipart, [{ name: 'digit.png', bytes: digit.png }]);
    for (const other of [json, dataUrl, urlSafe]) assert.deepEqual(other, [{ name: 'image', bytes: digit.png }]);
  });

  it('decodes the one image at the size the model reads, and says what is wrong otherwise', () => {
    const image = requestImage({ image: digit.png.toString('base64') }, { width: 28, height: 28 });
    assert.deepEqual([image.width, image.height, image.channels], [28, 28, 1]);
    assert.deepEqual(Buffer.from(image.data), Buffer.from(digit.pixels));
    const twice = { images: { 'a.png': digit.png, 'b.png': digit.png } };
    assert.throws(() => requestImage(twice), badInput(/send one image per request \(this one has 2\)/));
    assert.throws(() => requestImage({ image: digit.png.toString('base64') }, { width: 32, describe: '32x32 photos' }), badInput(/image is 28x28 pixels; this model reads 32x32 photos/));
    assert.throws(() => requestImages({ image: 'not base64!' }), badInput(/"image" is not base64 text/));
    assert.throws(() => requestImages({ image: 7 }), badInput(/"image" must be a base64 string \(a PNG or JPEG\), not number/));
    assert.throws(() => requestImages({ other: 'x' }, { keys: ['image'] }), badInput(/the request carries no image/));
  });
});
