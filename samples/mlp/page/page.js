// The MLP sample's page. Settings come from the query string:
//   service     the prediction URL (the service's access_address, or <platform>/v1/infers/<id>/)
//   api         the control plane (for Retrain), e.g. http://127.0.0.1:8080
//   job         the training job id; service_id the service id; model the model name
// The digit lives in a 28x28 canvas (what is sent); the pad shows it ten times larger.
const SIDE = 28;
const SCALE = 10;
const params = new URLSearchParams(location.search);
const config = {
  service: params.get('service'),
  api: (params.get('api') || '').replace(/\/$/, ''),
  job: params.get('job'),
  serviceId: params.get('service_id'),
  model: params.get('model') || 'mlp',
};
const $ = (id) => document.getElementById(id);
const pad = $('pad');
const view = pad.getContext('2d');
const digit = document.createElement('canvas');
digit.width = digit.height = SIDE;
const small = digit.getContext('2d');

function clear() {
  delete pad.dataset.image;
  small.fillStyle = '#000';
  small.fillRect(0, 0, SIDE, SIDE);
  show();
}

/** Copies the 28x28 digit onto the pad, pixel for pixel. */
function show() {
  view.imageSmoothingEnabled = false;
  view.drawImage(digit, 0, 0, SIDE * SCALE, SIDE * SCALE);
}

// Strokes go into the 28x28 digit directly, with a soft pen like MNIST's.
function stroke(event) {
  if (!(event.buttons & 1)) return;
  const box = pad.getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * SIDE;
  const y = ((event.clientY - box.top) / box.height) * SIDE;
  const pen = small.createRadialGradient(x, y, 0, x, y, 1.6);
  pen.addColorStop(0, 'rgba(255,255,255,1)');
  pen.addColorStop(1, 'rgba(255,255,255,0)');
  small.fillStyle = pen;
  small.fillRect(x - 2, y - 2, 4, 4);
  show();
}

function loadFile(file) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      small.drawImage(img, 0, 0, SIDE, SIDE);
      show();
      pad.dataset.image = file.name;
      URL.revokeObjectURL(img.src);
      resolve();
    };
    img.onerror = () => reject(new Error(`${file.name} is not an image this browser can read`));
    img.src = URL.createObjectURL(file);
  });
}

function pngBlob() {
  return new Promise((resolve) => digit.toBlob(resolve, 'image/png'));
}

async function request(url, init) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status}: ${body.error_msg || res.statusText}`);
  return body;
}

/** Asks the service; `how` is 'json' (base64 PNG in {"image": …}) or 'multipart'. */
async function predict(how) {
  if (how === 'json') {
    return request(config.service, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: digit.toDataURL('image/png') }),
    });
  }
  const form = new FormData();
  form.append('images', await pngBlob(), 'digit.png');
  return request(config.service, { method: 'POST', body: form });
}

function showResult(answer, how) {
  const result = $('result');
  $('error').textContent = '';
  $('label').textContent = answer.predicted_label;
  result.dataset.label = answer.predicted_label;
  result.dataset.via = how;
  $('bars').innerHTML = '';
  for (const [label, confidence] of Object.entries(answer.confidences)) {
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.className = 'fill';
    fill.style.width = `${Math.round(confidence * 200)}px`;
    bar.append(label, fill, confidence.toFixed(4));
    $('bars').appendChild(bar);
  }
}

function showError(err) {
  delete $('result').dataset.label;
  $('label').textContent = '';
  $('bars').innerHTML = '';
  $('error').textContent = err.message === 'Failed to fetch' ? 'the service could not be reached from this page (is this origin in its cors.allow_origins?)' : err.message;
}

async function onPredict(how) {
  $('result').dataset.busy = 'true';
  try {
    showResult(await predict(how), how);
  } catch (err) {
    showError(err);
  } finally {
    delete $('result').dataset.busy;
  }
}

const api = (method, path, body) =>
  request(config.api + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const status = (text) => ($('retrain-status').textContent = text);

async function waitForVersion(version) {
  for (;;) {
    const job = await api('GET', `/training-jobs/${config.job}`);
    const v = job.versions.find((x) => x.version === version);
    const last = v.last_metrics ? `; epoch ${v.last_metrics.epoch}, test accuracy ${(v.last_metrics.accuracy * 100).toFixed(2)}%` : '';
    status(`training ${version}: ${v.status}${last}`);
    if (v.terminal) return v;
    await pause(1000);
  }
}

async function nextModelVersion() {
  const models = await api('GET', `/models?name=${encodeURIComponent(config.model)}`);
  const patches = models.items.map((m) => m.version.split('.').map(Number)).filter((v) => v[0] === 1 && v[1] === 0).map((v) => v[2]);
  return `1.0.${patches.length ? Math.max(...patches) + 1 : 0}`;
}

async function waitForService(modelId) {
  for (;;) {
    const s = await api('GET', `/services/${config.serviceId}`);
    if (s.status === 'failed') throw new Error(`the deployment failed: ${s.reason}`);
    if (s.status === 'running' && s.model_id === modelId) return s;
    await pause(500);
  }
}

/** New job version → its model imported as the next version → the service rolled to it. */
async function retrain() {
  const parameters = ['epochs', 'learning_rate', 'batch_size'].map((name) => ({ name, value: $(name).value }));
  const retrainStatus = $('retrain-status');
  retrainStatus.dataset.state = 'running';
  try {
    const started = await api('POST', `/training-jobs/${config.job}/versions`, { parameters });
    const v = await waitForVersion(started.version);
    if (v.status !== 'Completed') throw new Error(`${started.version} ended ${v.status}: ${v.reason || ''}`);
    const model = await api('POST', '/models/import', { name: config.model, version: await nextModelVersion(), training_job_id: config.job, training_job_version: v.version });
    status(`imported ${model.name} ${model.version}; deploying`);
    await api('POST', `/services/${config.serviceId}/deploy`, { model_id: model.id });
    await waitForService(model.id);
    status(`the service now runs ${model.name} ${model.version} (trained as ${v.version}, test accuracy ${(v.last_metrics.accuracy * 100).toFixed(2)}%)`);
    retrainStatus.dataset.state = 'done';
    retrainStatus.dataset.model = model.id;
  } catch (err) {
    status(`retraining failed: ${err.message === 'Failed to fetch' ? 'the control plane could not be reached from this page (start it with CORS_ALLOW_ORIGINS=localhost)' : err.message}`);
    retrainStatus.dataset.state = 'failed';
  }
}

pad.addEventListener('pointermove', stroke);
pad.addEventListener('pointerdown', stroke);
$('clear').addEventListener('click', clear);
$('file').addEventListener('change', (e) => e.target.files[0] && loadFile(e.target.files[0]).catch(showError));
$('predict-json').addEventListener('click', () => onPredict('json'));
$('predict-multipart').addEventListener('click', () => onPredict('multipart'));
$('retrain').addEventListener('click', retrain);
$('retrain').disabled = !(config.api && config.job && config.serviceId);
$('config').textContent = `service: ${config.service || '(none: add ?service=<prediction URL>)'}`;
clear();
