// Inference code of the MLP sample. An image comes as a multipart file (-F images=@digit.png)
// or as JSON {"image": "<base64 PNG or JPEG>"} (what a browser page sends, a data: URL
// included); it must be a 28x28 white-on-black digit, read as pixel/255 like in training.
// The answer is the label and each class's confidence: the activation of its sigmoid
// output neuron, from 0 to 1 (they need not add up to 1).
const { TfServingBaseService, requestImage } = require('model_service/tfserving_model_service');

const SIDE = 28;

class MlpService extends TfServingBaseService {
  _preprocess(data) {
    const image = requestImage(data, { fields: ['images'], keys: ['image'], width: SIDE, height: SIDE, describe: '28x28 white-on-black digits' });
    return { images: [Array.from(image.data, (v) => v / 255)] };
  }

  _postprocess(data) {
    const scores = data.scores[0];
    const best = scores.indexOf(Math.max(...scores));
    const confidences = Object.fromEntries(scores.map((s, label) => [String(label), Number(s.toFixed(6))]));
    return { predicted_label: String(best), confidences };
  }
}

module.exports = MlpService;
