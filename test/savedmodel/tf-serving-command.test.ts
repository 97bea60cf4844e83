import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { distPath } from '../../kernel/paths';
import { api, waitFor } from '../helpers/http';
import { tempDir } from '../helpers/platform';
import { testVenv } from '../helpers/test-venv';
import { grpcPredictFromPython } from '../helpers/tf-models';
import { freePort } from '../helpers/ports';
import { useModelFixtures } from './helpers';

/** `modelarts-local tf-serving …` as a user runs it: the CLI, its own process, its log on stdout. */
function runTfServing(args: string[]): { child: ChildProcess; log: () => string } {
  let text = '';
  const child = spawn(process.execPath, [distPath('client', 'cli', 'main.js'), 'tf-serving', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  return { child, log: () => text };
}

describe('modelarts-local tf-serving: TF Serving\'s command line without Docker', function () {
  this.timeout(120_000);
  const fixtures = useModelFixtures(this);
  const running: ChildProcess[] = [];

  after(() => running.forEach((c) => c.kill('SIGTERM')));

  it('serves the newest version of a base path on REST and gRPC, and follows new versions as they appear', async () => {
    const base = path.join(await tempDir('tfs-base'), 'half_plus_two');
    await fs.cp(path.join(fixtures(), 'tf-serving', 'saved_model_half_plus_two_cpu', '00000123'), path.join(base, '1'), { recursive: true });
    const [rest, grpcPort] = [await freePort(), await freePort()];
    const server = runTfServing(['--model_name=half_plus_two', `--model_base_path=${base}`, `--rest_api_port=${rest}`, `--port=${grpcPort}`, '--file_system_poll_wait_seconds=0.2']);
    running.push(server.child);
    await waitFor('the REST API', async () => (/Exporting HTTP\/REST API/.test(server.log()) ? true : undefined));
    const url = `http://127.0.0.1:${rest}/v1/models/half_plus_two`;
    assert.deepEqual((await api(url, 'POST', ':predict', { instances: [1.0, 2.0, 5.0] })).body, { predictions: [2.5, 3.0, 4.5] });
    const venv = testVenv();
    if (venv.venv) {
      const got = await grpcPredictFromPython(venv.venv, `127.0.0.1:${grpcPort}`, 'half_plus_two', 'serving_default', { x: { values: [[4.0]], shape: [1, 1], dtype: 'float32' } });
      assert.deepEqual(got, { y: [[4.0]] });
    }
    // A new version appears: it is loaded, then the old one is unloaded (the latest-version policy).
    await fs.cp(path.join(fixtures(), 'tfjs-node', 'times_three_float'), path.join(base, '2'), { recursive: true });
    await waitFor('version 2', async () => ((await api(url, 'GET', '')).body.model_version_status?.[0]?.version === '2' ? true : undefined));
    assert.deepEqual((await api(url, 'POST', ':predict', { inputs: 4.0 })).body, { outputs: 12 });
    await waitFor('the unload', async () => (/Unloading servable version \{name: half_plus_two version: 1\}/.test(server.log()) ? true : undefined));
    assert.match(server.log(), /Successfully loaded servable version \{name: half_plus_two version: 2\}/);
    // It goes away again: version 1 serves once more.
    await fs.rm(path.join(base, '2'), { recursive: true });
    await waitFor('version 1 again', async () => ((await api(url, 'GET', '')).body.model_version_status?.[0]?.version === '1' ? true : undefined));
  });

  it('serves several models from --model_config_file, each by its name', async () => {
    const dir = await tempDir('tfs-config');
    await fs.cp(path.join(fixtures(), 'tf-serving', 'saved_model_half_plus_two_tf2_cpu'), path.join(dir, 'hp2'), { recursive: true });
    await fs.cp(path.join(fixtures(), 'tfjs-node', 'times_three_float'), path.join(dir, 'three', '7'), { recursive: true });
    const config = path.join(dir, 'models.config');
    await fs.writeFile(config, `model_config_list {\n  config {\n    name: 'hp2'\n    base_path: '${path.join(dir, 'hp2')}'\n    model_platform: "tensorflow"\n  }\n  config { name: "three" base_path: "three" }\n}\n`);
    const rest = await freePort();
    const server = runTfServing([`--model_config_file=${config}`, `--rest_api_port=${rest}`, `--port=${await freePort()}`]);
    running.push(server.child);
    await waitFor('the REST API', async () => (/Exporting HTTP\/REST API/.test(server.log()) ? true : undefined));
    const base = `http://127.0.0.1:${rest}/v1/models`;
    assert.deepEqual((await api(`${base}/hp2/versions/123`, 'POST', ':predict', { instances: [2.0] })).body, { predictions: [3.0] });
    assert.deepEqual((await api(`${base}/three`, 'POST', ':predict', { inputs: 5.0 })).body, { outputs: 15 });
    const unknown = await api(`${base}/nope`, 'POST', ':predict', { instances: [1] });
    assert.equal(unknown.status, 404);
  });

  it('refuses an unknown flag, naming the ones it knows', async () => {
    const server = runTfServing(['--model_name=x', '--modle_base_path=/tmp']);
    const code = await new Promise((resolve) => server.child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(server.log(), /unknown flag --modle_base_path; known: --port, --rest_api_port/);
  });
});
