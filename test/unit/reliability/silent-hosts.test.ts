import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deploymentStatus, destroyDeployment, isDatapubError } from '@datapub/core'
import { mockTokenExchange, PROJECT, writeAdcFile } from '../../../packages/provider-cloudrun/test/google-api-mock.js'
import { useHttpMock } from '../../helpers/http-mock.js'
import { startSilentServer, type SilentMode, type SilentServer } from '../../helpers/silent-server.js'

/**
 * Host APIs that never answer, for every host: a server on loopback that accepts and stays
 * silent, sends headers and never the body's end, or stops mid-body. A read (status) and a write
 * (destroy) against each must end on the client's own deadline with a coded host error within
 * the bound stated in BOUND_MS, the write must not be resent blindly, and the next call to a host
 * that answers again must complete. Every case runs at once: the file takes one bound of wall
 * time (about a minute), idle. Figures measured: Now and Vercel 30.0-31.4 s (HTTP_TIMEOUT),
 * Heroku 60.0-60.4 s (HEROKU_UNREACHABLE), Cloud Run 10.0-11.1 s (CLOUDRUN_API_ERROR).
 */

const { nock } = useHttpMock({ allowLoopback: true })
type Host = 'heroku' | 'now' | 'vercel' | 'cloudrun'
const HOSTS: Host[] = ['heroku', 'now', 'vercel', 'cloudrun']
const MODES: SilentMode[] = ['silent', 'headers-only', 'mid-body']
/**
 * The stated bounds: the kit HTTP client's deadline is 30 s a call, retries included (Now,
 * Vercel, Cloud Run's Artifact Registry); Heroku's reads go through heroku-client with its
 * own 30 s deadline and writes through the kit client, and a write whose answer was lost is
 * followed by one read to learn whether it happened, and a read is tried twice: two deadlines.
 * Cloud Run's Admin API runs through google-gax, which ends a silent call after about 10 s.
 */
const BOUND_MS: Record<Host, number> = { heroku: 65_000, now: 33_000, vercel: 33_000, cloudrun: 33_000 }
const figures: Record<string, { ms: number; code: string; writes: number }> = {}
let adcFile: string

beforeAll(async () => {
  adcFile = await writeAdcFile()
})
afterAll(() => {
  console.info(`silent hosts: ${JSON.stringify(figures)}`)
})

function request(host: Host, server: SilentServer) {
  const providerOptions =
    host === 'heroku' ? { apiKey: 'sentinel-silent-heroku-key', apiUrl: server.url } :
    host === 'cloudrun' ? { keyFile: adcFile, project: PROJECT, region: 'us-central1', apiUrl: server.url } :
    { token: `sentinel-silent-${host}-token`, apiUrl: server.url }
  return { provider: host, providerOptions, services: { Env: {} } } as Parameters<typeof deploymentStatus>[0]
}

/** What each host answers for a deployment that does not exist, to show the client is not stuck. */
function notFound(host: Host): { status: number; headers: Record<string, string>; body: string } {
  const body = host === 'heroku' ? { id: 'not_found', message: "Couldn't find that app." } : host === 'cloudrun' ? { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } : { error: { code: 'not_found', message: 'The deployment was not found.' } }
  return { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

async function timed(label: string, server: SilentServer, call: () => Promise<unknown>) {
  const t0 = Date.now()
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  )
  const ms = Date.now() - t0
  figures[label] = { ms, code: isDatapubError(error) ? error.code : String(error), writes: server.writes().length }
  return { ms, error }
}

describe('host APIs that never answer', () => {
  it('every read and write ends coded within the bound, writes are not resent, and the next call completes', { timeout: 240_000 }, async () => {
    mockTokenExchange(nock).persist()
    const failures: string[] = []
    await Promise.all(
      HOSTS.flatMap((host) =>
        MODES.map(async (mode) => {
          let answering = false
          const server = await startSilentServer({ mode, answer: (method) => (answering && method === 'GET' ? notFound(host) : undefined) })
          const writeServer = await startSilentServer({ mode })
          try {
            // The read and the write run side by side on two servers: the file then takes one bound of wall time.
            const [read, write] = await Promise.all([
              timed(`${host} ${mode} status`, server, () => deploymentStatus(request(host, server), 'silent-app')),
              timed(`${host} ${mode} destroy`, writeServer, () => destroyDeployment(request(host, writeServer), 'silent-app')),
            ])
            const writes = writeServer.writes().length
            for (const [op, r] of [['status', read], ['destroy', write]] as const) {
              const what = `${host} ${mode} ${op}: ${r.ms} ms, ${isDatapubError(r.error) ? `${r.error.code} (${r.error.fault})` : String(r.error)}`
              if (!isDatapubError(r.error)) failures.push(`${what}: not a coded error`)
              else if (r.error.fault !== 'host') failures.push(`${what}: not the host's fault`)
              if (r.ms > BOUND_MS[host]) failures.push(`${what}: over the ${BOUND_MS[host]} ms bound`)
            }
            if (writes > 1) failures.push(`${host} ${mode}: the write was sent ${writes} times into a host that never answered`)
            // The host answers again: the next call completes (a coded not-found, within a second or two).
            answering = true
            const next = await timed(`${host} ${mode} next`, server, () => deploymentStatus(request(host, server), 'silent-app'))
            if (next.ms > 5000 || !isDatapubError(next.error) || next.error.fault === 'internal' || /TIMEOUT|UNREACHABLE/.test(next.error.code)) {
              failures.push(`${host} ${mode} next call: ${next.ms} ms, ${isDatapubError(next.error) ? next.error.code : String(next.error)}`)
            }
          } finally {
            await Promise.all([server.stop(), writeServer.stop()])
          }
        }),
      ),
    )
    expect(failures).toEqual([])
  })
})
