// Inference code of the autoencoder + classifier sample: the package holds two models,
// model/autoencoder/ and model/classifier/ (loaded into this.models by folder name). An
// image (multipart -F images=@digit.png, or JSON {"image": "<base64 PNG or JPEG>"}) must be
// a 28x28 white-on-black digit; the autoencoder cleans it, and the classifier reads the
// cleaned digit. The answer: the label, each class's confidence (the classifier's tanh
// output, clipped to 0..1), and how far the reconstruction is from the input (MSE).
const { TfServingBaseService, requestImage } = require('model_service/tfserving_model_service');

const SIDE = 28;

class AutoencoderClassifierService extends TfServingBaseService {
  _preprocess(data) {
    const image = requestImage(data, { fields: ['images'], keys: ['image'], width: SIDE, height: SIDE, describe: '28x28 white-on-black digits' });
    return Array.from(image.data, (v) => v / 255);
  }

  async _inference(pixels) {
    const { reconstruction } = await this.models.autoencoder.predict({ images: [pixels] });
    const { scores } = await this.models.classifier.predict({ images: reconstruction });
    const cleaned = reconstruction[0];
    const mse = cleaned.reduce((sum, v, i) => sum + (v - pixels[i]) ** 2, 0) / pixels.length;
    return { scores: scores[0], mse };
  }

  _postprocess({ scores, mse }) {
    const best = scores.indexOf(Math.max(...scores));
    const confidences = Object.fromEntries(scores.map((s, label) => [String(label), Number(Math.min(1, Math.max(0, s)).toFixed(6))]));
    return { predicted_label: String(best), confidences, reconstruction_mse: Number(mse.toFixed(6)) };
  }
}

module.exports = AutoencoderClassifierService;
