import assert from 'node:assert/strict';
import fs from 'node:fs';
import YAML from 'yaml';
import { repoPath } from '../../kernel/paths';

/** No Docker engine runs where the tests do, so docker-compose.yml is checked as a document. */
describe('docker-compose.yml', () => {
  const compose = YAML.parse(fs.readFileSync(repoPath('docker-compose.yml'), 'utf8'));
  const configSource = fs.readFileSync(repoPath('kernel', 'config.ts'), 'utf8');
  const readNames = new Set([...configSource.matchAll(/read\.\w+\('([A-Z_]+)'/g)].map((m) => m[1]));

  it('runs MinIO from a pinned image, an init step and the platform', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['minio', 'minio-init', 'platform']);
    for (const name of ['minio', 'minio-init']) {
      assert.match(compose.services[name].image, /^minio\/minio:RELEASE\.\d{4}-\d{2}-\d{2}T/, `${name} is pinned to a release`);
    }
  });

  it('gives the platform only variables the platform reads, and the ones it needs for MinIO', () => {
    const env = compose.services.platform.environment;
    for (const name of Object.keys(env)) assert.ok(readNames.has(name), `${name} is read by platform/config.ts`);
    for (const name of ['OBS_ENDPOINT', 'OBS_ACCESS_KEY_ID', 'OBS_SECRET_ACCESS_KEY', 'HOST', 'PORT']) assert.ok(env[name], name);
  });

  it('points OBS_ENDPOINT at the MinIO service and port, with MinIO\'s credentials', () => {
    const env = compose.services.platform.environment;
    const endpoint = new URL(env.OBS_ENDPOINT);
    assert.equal(endpoint.hostname, 'minio');
    const minio = compose.services.minio;
    assert.ok(minio.command.join(' ').includes(`--address :${endpoint.port}`));
    assert.ok(minio.ports.some((p: string) => p.endsWith(`:${endpoint.port}`)));
    assert.equal(env.OBS_ACCESS_KEY_ID, minio.environment.MINIO_ROOT_USER);
    assert.equal(env.OBS_SECRET_ACCESS_KEY, minio.environment.MINIO_ROOT_PASSWORD);
  });

  it('publishes the platform\'s PORT and lets it listen beyond loopback on purpose', () => {
    const p = compose.services.platform;
    assert.ok(p.ports.includes(`${p.environment.PORT}:${p.environment.PORT}`));
    assert.equal(p.environment.HOST, '0.0.0.0');
    assert.ok(p.environment.AUTH_TOKEN || p.environment.ALLOW_INSECURE_HOST === 'true');
  });

  it('creates the tutorial bucket and the platform\'s own bucket before the platform starts', () => {
    const init = compose.services['minio-init'].entrypoint.join(' ');
    assert.match(init, /mc mb --ignore-existing store\/test-modelarts/);
    const systemBucket = /read\.pattern\('SYSTEM_BUCKET', '([^']+)'/.exec(configSource)![1];
    assert.match(init, new RegExp(`mc mb --ignore-existing store/${systemBucket}`));
    assert.equal(compose.services.platform.depends_on['minio-init'].condition, 'service_completed_successfully');
    assert.equal(compose.services['minio-init'].depends_on.minio.condition, 'service_healthy');
  });
});
