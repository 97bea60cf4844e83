import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { waitFor } from '../helpers/http';
import { iamToken, SdkClient } from '../helpers/huawei-sdk';
import { EMBEDDED_ACCESS_KEY_ID, EMBEDDED_SECRET_ACCESS_KEY } from '../../kernel/config';

export const PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const USER = 'alice';
export const PASSWORD = 'alice-password';

export interface SignedPlatform {
  t: TestPlatform;
  /** Huawei's SDK core, signing with the platform's default keys (the OBS keys). */
  sdk: SdkClient;
  token: string;
}

/** A platform that requires credentials, a client signing as Huawei's SDK does, and an IAM token. */
export async function startSignedPlatform(env: Record<string, string> = {}): Promise<SignedPlatform> {
  const t = await startTestPlatform({ AUTH_TOKEN: 'the-platform-token', IAM_USERS: `${USER}:${PASSWORD}`, PROJECT_ID: PROJECT, ...env });
  const sdk = new SdkClient({ endpoint: t.url, ak: EMBEDDED_ACCESS_KEY_ID, sk: EMBEDDED_SECRET_ACCESS_KEY, projectId: PROJECT });
  return { t, sdk, token: await iamToken(t.url, USER, PASSWORD) };
}

/** JSON over HTTP with an IAM token, as a script using tokens calls ModelArts. */
export async function withToken(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, {
    method,
    headers: { 'X-Auth-Token': token, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function waitForV1Service(sdk: SdkClient, id: string, statuses: string[]): Promise<any> {
  return waitFor(`service ${id} to be ${statuses.join('/')}`, async () => {
    const res = await sdk.call('GET', `/v1/{project_id}/services/${id}`);
    return statuses.includes(res.body?.status) ? res.body : undefined;
  }, 90_000, 200);
}
