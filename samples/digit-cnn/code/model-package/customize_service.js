// Inference code of the DigitClassifier: each uploaded image becomes a 28x28x1 input
// of pixel/255 (the scaling the boot file trained with), and the answer holds every
// class's probability, most probable first.
const { TfServingBaseService, decodeImage, toFloatVector, InputError } = require('model_service/tfserving_model_service');

const SIDE = 28;

class DigitClassifierService extends TfServingBaseService {
  _preprocess(data) {
    const rows = [];
    for (const files of Object.values(data)) {
      if (typeof files !== 'object') continue;
      for (const [fileName, content] of Object.entries(files)) {
        const image = decodeImage(content, { channels: 1 });
        if (image.width !== SIDE || image.height !== SIDE) {
          throw new InputError(`${fileName} is ${image.width}x${image.height} pixels; this model reads 28x28 white-on-black digits`);
        }
        // pixel/255 as one flat Float32Array: the platform shapes it as [1, 28, 28, 1].
        rows.push(toFloatVector(image));
      }
    }
    if (rows.length !== 1) throw new InputError(`send exactly one image (got ${rows.length})`);
    return { [this.inputs[0].name]: rows[0] };
  }

  _postprocess(data) {
    const probabilities = data[this.outputs[0].name][0];
    const ranked = probabilities.map((p, label) => [String(label), p]).sort((a, b) => b[1] - a[1]);
    return { predicted_label: ranked[0][0], scores: ranked };
  }
}

module.exports = DigitClassifierService;
