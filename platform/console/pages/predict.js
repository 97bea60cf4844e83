// The Prediction tab: draw a digit or upload an image, send it to the service, read the answer.
import { dropLogged, get, predict } from '../lib/api.js';
import { barChart } from '../lib/chart.js';
import { fill, formatDuration, formatJson, h, notice } from '../lib/dom.js';

const PAD = 280;
const SIDE = 28;
/** MNIST digits fill a 20x20 box centred in 28x28; a drawing is scaled the same way. */
const DIGIT_BOX = 20;
const INK = 24;

/**
 * The multipart field the model's API expects (the first `file` property of its request schema).
 * @param {Json} service
 * @param {AbortSignal} signal
 */
async function fileField(service, signal) {
  const model = await dropLogged(get(`/models/${service.model_id}`, { signal }), `reading model ${service.model_id}`);
  /** @type {Record<string, Json>} */
  const props = model?.apis?.[0]?.request?.data?.properties ?? {};
  return Object.entries(props).find(([, p]) => p?.type === 'file')?.[0] ?? 'images';
}

/**
 * The 2D context of a canvas (always there for a canvas in a document).
 * @param {HTMLCanvasElement} canvas
 */
function context2d(canvas) {
  return /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
}

/** @param {HTMLCanvasElement} pad */
function clearPad(pad) {
  const c = context2d(pad);
  c.fillStyle = '#000';
  c.fillRect(0, 0, PAD, PAD);
}

/**
 * Lets a pointer (mouse, pen, finger) draw white strokes on the black pad.
 * @param {HTMLCanvasElement} pad
 */
function drawable(pad) {
  const c = context2d(pad);
  let drawing = false;
  /** @type {(e: PointerEvent) => [number, number]} */
  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * PAD, ((e.clientY - r.top) / r.height) * PAD];
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    Object.assign(c, { strokeStyle: '#fff', lineWidth: INK, lineCap: 'round', lineJoin: 'round' });
    c.beginPath();
    c.moveTo(...at(e));
    c.lineTo(...at(e));
    c.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    c.lineTo(...at(e));
    c.stroke();
  });
  const end = () => (drawing = false);
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
}

/**
 * The bounding box of the ink on the pad, or undefined when nothing is drawn.
 * @param {HTMLCanvasElement} pad
 */
function inkBox(pad) {
  const { data } = context2d(pad).getImageData(0, 0, PAD, PAD);
  let [x0, y0, x1, y1] = [PAD, PAD, -1, -1];
  for (let y = 0; y < PAD; y++) {
    for (let x = 0; x < PAD; x++) {
      if (data[(y * PAD + x) * 4] > 32) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/**
 * The drawing as a 28x28 white-on-black PNG, the digit scaled into the middle 20x20 as in MNIST.
 * @param {HTMLCanvasElement} pad
 * @returns {Promise<Blob | null | undefined>}
 */
export async function drawingPng(pad) {
  const box = inkBox(pad);
  if (!box) return undefined;
  const out = document.createElement('canvas');
  out.width = out.height = SIDE;
  const c = context2d(out);
  c.fillStyle = '#000';
  c.fillRect(0, 0, SIDE, SIDE);
  c.imageSmoothingEnabled = true;
  c.imageSmoothingQuality = 'high';
  const scale = DIGIT_BOX / Math.max(box.w, box.h);
  const [w, hgt] = [box.w * scale, box.h * scale];
  c.drawImage(pad, box.x, box.y, box.w, box.h, (SIDE - w) / 2, (SIDE - hgt) / 2, w, hgt);
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

/**
 * @param {Json} service
 * @param {string} field
 * @param {string} fileName
 */
function curlCommand(service, field, fileName) {
  const auth = service.app_code ? ` -H 'X-Apig-AppCode: ${service.app_code}'` : '';
  const via = `curl -s -X POST${auth} -F '${field}=@${fileName}' ${location.origin}${service.infer_url}`;
  return service.access_address ? `${via}\n# or straight to the service's own address:\ncurl -s -X POST${auth} -F '${field}=@${fileName}' ${service.access_address}` : via;
}

/**
 * @param {HTMLElement} el
 * @param {Awaited<ReturnType<typeof predict>>} res
 * @param {string} curl
 */
function showResult(el, res, curl) {
  const body = res.body;
  const scores = Array.isArray(body?.scores) ? body.scores.slice(0, 5) : [];
  fill(
    el,
    h('h2', {}, 'Result'),
    res.ok
      ? h('p', { class: 'prediction' }, 'Predicted label ', h('output', { id: 'predicted-label' }, String(body?.predicted_label ?? '(none)')))
      : notice(`HTTP ${res.status}: ${body?.error_msg ?? body} ${body?.error_code ? `(${body.error_code})` : ''}`),
    h('p', { class: 'hint' }, `HTTP ${res.status} in ${formatDuration(res.ms)}`),
    scores.length ? [h('h3', {}, 'Top-5 scores'), barChart(scores, { title: 'top-5 scores' })] : null,
    h('h3', {}, 'Response JSON'),
    h('pre', { class: 'json', id: 'raw-response', tabindex: '0' }, typeof body === 'string' ? body : formatJson(body)),
    h('h3', {}, 'The same request with curl'),
    h('pre', { class: 'json', id: 'curl-command', tabindex: '0' }, curl),
  );
}

/**
 * @param {HTMLElement} root
 * @param {Json} service
 * @param {PageLife} life
 */
export async function predictTab(root, service, life) {
  const field = await fileField(service, life.signal);
  const result = h(
    'section',
    { class: 'panel result', 'aria-live': 'polite', id: 'prediction-result' },
    h('h2', {}, 'Result'),
    h('p', { class: 'hint' }, 'Draw a digit and press "Predict drawing", or upload an image: the service\'s answer, its time and the same request as a curl command appear here.'),
  );
  const preview = h('img', { class: 'preview', alt: 'The 28x28 image that is sent', width: 112, height: 112, hidden: true });
  const pad = h('canvas', { width: PAD, height: PAD, class: 'pad', id: 'drawing-pad', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger; or upload an image below' });
  clearPad(pad);
  drawable(pad);
  const send = async (/** @type {Blob} */ blob, /** @type {string} */ fileName) => {
    preview.src = URL.createObjectURL(blob);
    preview.hidden = false;
    fill(result, h('p', {}, 'Sending…'));
    const res = await predict(service.infer_url, field, blob, fileName, service.app_code ? { 'X-Apig-AppCode': service.app_code } : {});
    showResult(result, res, curlCommand(service, field, fileName));
  };
  const file = h('input', { type: 'file', id: 'predict-file', accept: 'image/png,image/jpeg,image/bmp' });
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen) void send(chosen, chosen.name);
  });
  const drawn = async () => {
    const png = await drawingPng(pad);
    if (png) await send(png, 'digit.png');
    else fill(result, notice('Draw a digit on the pad first.', 'info'));
  };
  fill(
    root,
    service.status === 'running' ? null : notice(`The service is ${service.status}; it answers predictions when it is running.`, 'info'),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Draw a digit'),
        h('p', { class: 'hint' }, 'White on black, as the MNIST digits are; it is scaled to 28x28 before it is sent.'),
        pad,
        h('div', { class: 'form-actions' }, h('button', { type: 'button', onclick: () => clearPad(pad) }, 'Clear'), h('button', { type: 'button', class: 'primary', onclick: drawn }, 'Predict drawing')),
        h('h2', {}, 'Or upload an image'),
        h('div', { class: 'field' }, h('label', { for: file.id }, `Image file (sent as the "${field}" field)`), file),
        h('figure', {}, preview, h('figcaption', {}, 'What was sent')),
      ),
      result,
    ),
  );
}
