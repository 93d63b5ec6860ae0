import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Nock } from '../../../test/helpers/http-mock.js'

// Sentinels: none of these may ever show up in an event, error, log or descriptor.
export const REFRESH_TOKEN = 'sentinel-refresh-1//0gRefReSh7c2f'
export const CLIENT_SECRET = 'sentinel-client-secret-d41c'
export const ACCESS_TOKEN = 'ya29.sentinel-access-token-5e8a'
export const SENTINELS = [REFRESH_TOKEN, CLIENT_SECRET, ACCESS_TOKEN]

export const PROJECT = 'datapub-test-1'
export const REGION = 'us-central1'
export const PARENT = `projects/${PROJECT}/locations/${REGION}`
export const RUN = 'https://run.googleapis.com'
export const TOKEN_URL = 'https://oauth2.googleapis.com'
/** google-gax fallback mode adds this to every query string. */
export const ALT = { $alt: 'json;enum-encoding=int' }
export const DIGEST = `sha256:${'ab'.repeat(32)}`
export const IMAGE = `us-docker.pkg.dev/${PROJECT}/datasette/datasette-birds@${DIGEST}`

/** An authorized_user ADC file as `gcloud auth application-default login` writes it. */
export async function writeAdcFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cloudrun-adc-'))
  const file = path.join(dir, 'application_default_credentials.json')
  await writeFile(file, JSON.stringify({ type: 'authorized_user', client_id: 'datapub-test.apps.googleusercontent.com', client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN, quota_project_id: PROJECT }))
  return file
}

/** The refresh-token exchange google-auth-library makes for user credentials. */
export function mockTokenExchange(n: Nock, reply: { status: number; body: object } = { status: 200, body: { access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/cloud-platform' } }) {
  return n(TOKEN_URL, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' } })
    .post('/token', (body: Record<string, string>) => body.grant_type === 'refresh_token' && body.refresh_token === REFRESH_TOKEN && body.client_secret === CLIENT_SECRET && body.client_id === 'datapub-test.apps.googleusercontent.com')
    .reply(reply.status, reply.body)
}

/** Cloud Run Admin API scope: every call must carry the exchanged access token and JSON content type. */
export function runApi(n: Nock, base = RUN) {
  return n(base, { reqheaders: { authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json' } })
}

export function serviceJson(id = 'birds', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `${PARENT}/services/${id}`,
    uid: 'b1d3c3e0-0000-4000-8000-000000000001',
    generation: '2',
    labels: { 'managed-by': 'datapub' },
    createTime: '2026-01-02T03:04:05Z',
    template: {
      containers: [{ image: IMAGE, env: [{ name: 'DATASETTE_SECRET', value: 'x' }], resources: { limits: { memory: '1Gi', cpu: '1' } }, ports: [{ containerPort: 8001 }] }],
      scaling: { maxInstanceCount: 1 },
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    observedGeneration: '2',
    terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: '2026-01-02T03:05:00Z' },
    latestReadyRevision: `${PARENT}/services/${id}/revisions/${id}-00002-xyz`,
    latestCreatedRevision: `${PARENT}/services/${id}/revisions/${id}-00002-xyz`,
    trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, revision: `${id}-00002-xyz` }],
    uri: `https://${id}-abc123-uc.a.run.app`,
    urls: [`https://${id}-abc123-uc.a.run.app`],
    reconciling: false,
    etag: '"etag-2"',
    ...overrides,
  }
}

export function operation(id: string, done: boolean, result?: { response?: Record<string, unknown>; error?: { code: number; message: string } }) {
  return {
    name: `${PARENT}/operations/${id}`,
    metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', name: `${PARENT}/services/birds` },
    done,
    ...(result?.response ? { response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...result.response } } : {}),
    ...(result?.error ? { error: result.error } : {}),
  }
}

export function googleError(code: number, status: string, message: string, details: object[] = []) {
  return { error: { code, message, status, details } }
}
