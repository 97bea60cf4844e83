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
  ];
  for (const [env, variable, message] of bad) {
    it(`stops with one line naming ${variable} when it is ${JSON.stringify(Object.values(env)[0])}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && message.test(err.message) && !err.message.includes('\n'),
      );
    });
  }

  it('listens beyond loopback when a token is set or it is asked to explicitly', () => {
    assert.equal(loadConfig({ HOST: '0.0.0.0', AUTH_TOKEN: 'a-long-secret' }).host, '0.0.0.0');
    assert.equal(loadConfig({ HOST: '0.0.0.0', ALLOW_INSECURE_HOST: 'true' }).host, '0.0.0.0');
  });
});
