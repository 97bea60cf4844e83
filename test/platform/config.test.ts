import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../kernel/config';

describe('configuration from the environment', () => {
  it('has defaults for everything: port 8080 on 127.0.0.1, ./data, the embedded store on 9000', () => {
    const c = loadConfig({}, '/srv/ma');
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, path.resolve('/srv/ma', 'data'));
    assert.equal(c.obs.endpoint, undefined);
    assert.equal(c.obs.embeddedPort, 9000);
    assert.equal(c.obs.region, 'us-east-1');
    assert.ok(c.obs.accessKeyId && c.obs.secretAccessKey);
    assert.deepEqual(c.corsAllowOrigins, []);
  });

  it('leaves the Python to choose when PYTHON is unset, and takes the one it names', () => {
    assert.deepEqual([loadConfig({}).python, loadConfig({}).pythonWorkers], [undefined, 2]);
    assert.deepEqual([loadConfig({ PYTHON: '/opt/venv/bin/python', PYTHON_WORKERS: '4' }).python, loadConfig({ PYTHON_WORKERS: '4' }).pythonWorkers], ['/opt/venv/bin/python', 4]);
  });

  it('reads the control plane\'s CORS origins as a list', () => {
    assert.deepEqual(loadConfig({ CORS_ALLOW_ORIGINS: 'localhost, https://app.example:8443' }).corsAllowOrigins, ['localhost', 'https://app.example:8443']);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      PORT: '9090',
      HOST: 'localhost',
      DATA_DIR: '/var/lib/ma',
      OBS_PORT: '0',
      OBS_ENDPOINT: 'http://minio:9000/',
      OBS_ACCESS_KEY_ID: 'ak',
      OBS_SECRET_ACCESS_KEY: 'sk',
      OBS_REGION: 'cn-north-4',
    });
    assert.deepEqual(
      [c.port, c.host, c.dataDir, c.obs.embeddedPort, c.obs.endpoint, c.obs.accessKeyId, c.obs.secretAccessKey, c.obs.region],
      [9090, 'localhost', '/var/lib/ma', 0, 'http://minio:9000', 'ak', 'sk', 'cn-north-4'],
    );
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'eighty' }, 'PORT', /PORT="eighty" is not valid: PORT accepts a TCP port from 0 to 65535/],
    [{ PORT: '70000' }, 'PORT', /PORT accepts a TCP port/],
    [{ OBS_PORT: '-1' }, 'OBS_PORT', /OBS_PORT accepts a TCP port/],
    [{ HOST: 'not a host' }, 'HOST', /HOST accepts a host name or IP address/],
    [{ OBS_ENDPOINT: 'minio:9000' }, 'OBS_ENDPOINT', /OBS_ENDPOINT accepts an http:\/\/ or https:\/\/ URL/],
    [{ OBS_ENDPOINT: 'http://minio:9000' }, 'OBS_ACCESS_KEY_ID', /OBS_ACCESS_KEY_ID accepts a non-empty key when OBS_ENDPOINT is set/],
    [{ OBS_REGION: 'Mars 1' }, 'OBS_REGION', /OBS_REGION accepts a region name/],
    [{ SYSTEM_BUCKET: 'my-.system' }, 'SYSTEM_BUCKET', /SYSTEM_BUCKET accepts a bucket name/],
    [{ MAX_CONCURRENT_JOBS: '0' }, 'MAX_CONCURRENT_JOBS', /MAX_CONCURRENT_JOBS accepts a whole number from 1 to 256/],
    [{ PREPARE_SAMPLES: 'maybe' }, 'PREPARE_SAMPLES', /accepts true or false/],
    [{ CORS_ALLOW_ORIGINS: 'localhost,example.com' }, 'CORS_ALLOW_ORIGINS', /CORS_ALLOW_ORIGINS accepts "\*", "localhost" \(any localhost port\) or origins/],
    [{ PYTHON: 'python 3' }, 'PYTHON', /PYTHON accepts a Python interpreter: a command on PATH such as python3, or a path/],
    [{ PYTHON_WORKERS: '0' }, 'PYTHON_WORKERS', /PYTHON_WORKERS accepts a whole number from 1 to 32/],
    [{ HOST: '0.0.0.0' }, 'HOST', /HOST accepts a loopback address .* unless AUTH_TOKEN is set or ALLOW_INSECURE_HOST=true/],
    [{ EXECUTOR: 'kubernetes' }, 'EXECUTOR', /EXECUTOR accepts local \(processes on this machine\) or slurm/],
    [{ EXECUTOR: 'slurm' }, 'CLUSTER_ADDRESS', /CLUSTER_ADDRESS accepts this machine's address as the cluster's nodes reach it \(not loopback\), required with EXECUTOR=slurm/],
    [{ EXECUTOR: 'slurm', CLUSTER_ADDRESS: '127.0.0.1' }, 'CLUSTER_ADDRESS', /not loopback/],
    [{ EXECUTOR: 'slurm', CLUSTER_ADDRESS: '10.0.0.5' }, 'HOST', /HOST accepts 0\.0\.0\.0 or CLUSTER_ADDRESS \(10\.0\.0\.5\) with EXECUTOR=slurm: the nodes must reach the control plane/],
    [{ EXECUTOR: 'slurm', CLUSTER_ADDRESS: '10.0.0.5', HOST: '0.0.0.0' }, 'HOST', /unless AUTH_TOKEN is set/],
    [{ EXECUTOR: 'slurm', CLUSTER_ADDRESS: '10.0.0.5', HOST: '0.0.0.0', AUTH_TOKEN: 'a-long-secret', OBS_ENDPOINT: 'http://127.0.0.1:9000', OBS_ACCESS_KEY_ID: 'a', OBS_SECRET_ACCESS_KEY: 'b' }, 'CLUSTER_OBS_ENDPOINT', /not a loopback address/],
    [{ CLUSTER_WORK_DIR: 'relative/dir' }, 'CLUSTER_WORK_DIR', /an absolute folder path/],
    [{ CLUSTER_SILENCE_MS: '10' }, 'CLUSTER_SILENCE_MS', /a whole number from 1000 to 600000/],
  ];
  for (const [env, variable, message] of bad) {
    it(`stops with one line naming ${variable} when it is ${JSON.stringify(Object.values(env)[0])}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && message.test(err.message) && !err.message.includes('\n'),
      );
    });
  }

  it('runs jobs and instances here by default, and on Slurm with EXECUTOR=slurm and the address its nodes reach', () => {
    const here = loadConfig({});
    assert.deepEqual([here.cluster.executor, here.cluster.workDir, here.cluster.silenceMs], ['local', '/tmp/modelarts-local', 15_000]);
    const c = loadConfig({ EXECUTOR: 'slurm', CLUSTER_ADDRESS: '10.0.0.5', HOST: '0.0.0.0', AUTH_TOKEN: 'a-long-secret', CLUSTER_PARTITION: 'cpu', CLUSTER_WORK_DIR: '/scratch/ma' });
    assert.deepEqual([c.cluster.executor, c.cluster.address, c.cluster.partition, c.cluster.workDir], ['slurm', '10.0.0.5', 'cpu', '/scratch/ma']);
    assert.equal(c.maxConcurrentJobs, 64, "Slurm's queue decides what runs");
    assert.equal(loadConfig({ EXECUTOR: 'slurm', CLUSTER_ADDRESS: '10.0.0.5', HOST: '10.0.0.5', AUTH_TOKEN: 'a-long-secret' }).host, '10.0.0.5');
  });

  it('listens beyond loopback when a token is set or it is asked to explicitly', () => {
    assert.equal(loadConfig({ HOST: '0.0.0.0', AUTH_TOKEN: 'a-long-secret' }).host, '0.0.0.0');
    assert.equal(loadConfig({ HOST: '0.0.0.0', ALLOW_INSECURE_HOST: 'true' }).host, '0.0.0.0');
  });
});
