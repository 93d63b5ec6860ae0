import { afterEach, describe, expect, it } from 'vitest'
import { blobFromBuffer, isDatapubError, RegistryClient } from '@datapub/core'
import { startRegistry } from '../../helpers/registry/start-registry.js'
import { startSilentServer, type SilentMode, type SilentServer } from '../../helpers/silent-server.js'

/**
 * A registry that never answers: accepts and stays silent, sends headers and never the body's
 * end, or stops mid-body. Each call must end on the client's own deadline with a coded
 * REGISTRY_ERROR (fault host) within the stated bound, and the next call to a registry that
 * answers must complete. The deadline is `idleTimeoutMs` of silence per attempt (60 s by
 * default), and a silent registry gets one more attempt at most, so a call ends within
 * 2 x idleTimeoutMs + backoff (about 2 minutes with the defaults); a blob upload, whose failed
 * session is also cancelled (best effort), within 4 x idleTimeoutMs.
 */

const IDLE_MS = 250
const BOUND_MS = 2 * IDLE_MS + 1500
const tally: Record<string, { ms: number; requests: number; code: string }> = {}
let server: SilentServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

const ping = (method: string, path: string) => (method === 'GET' && path === '/v2/' ? { status: 200, body: '{}' } : undefined)
const startUpload = (method: string, path: string) =>
  ping(method, path) ?? (method === 'POST' && path.endsWith('/blobs/uploads/') ? { status: 202, headers: { location: '/v2/app/blobs/uploads/session-1' } } : undefined) ?? (method === 'HEAD' ? { status: 404 } : undefined)

async function timed(label: string, call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const t0 = Date.now()
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  )
  const ms = Date.now() - t0
  tally[label] = { ms, requests: server?.requests.length ?? 0, code: isDatapubError(error) ? error.code : String(error) }
  return { ms, error }
}

describe('a registry that never answers', () => {
  const modes: SilentMode[] = ['silent', 'headers-only', 'mid-body']
  for (const mode of modes) {
    it(`${mode}: the ping ends coded within the bound`, async () => {
      server = await startSilentServer({ mode })
      const client = new RegistryClient({ registry: server.host, idleTimeoutMs: IDLE_MS })
      const { ms, error } = await timed(`${mode} ping`, () => client.ping())
      client.close()
      // headers-only and mid-body answer the ping with a 200 status, which is all a ping needs.
      if (mode === 'silent') {
        expect(error).toMatchObject({ code: 'REGISTRY_ERROR', fault: 'host' })
        expect(ms).toBeLessThan(BOUND_MS)
      }
    })

    it(`${mode}: a manifest fetch ends coded within the bound`, async () => {
      server = await startSilentServer({ mode, answer: ping })
      const client = new RegistryClient({ registry: server.host, idleTimeoutMs: IDLE_MS })
      const { ms, error } = await timed(`${mode} manifest`, () => client.getManifest('app', 'v1'))
      client.close()
      expect(error).toMatchObject({ code: 'REGISTRY_ERROR', fault: 'host' })
      expect(ms).toBeLessThan(BOUND_MS)
      expect(server.requests.filter((r) => r.path.includes('/manifests/')).length, 'a silent registry gets one more attempt at most').toBeLessThanOrEqual(2)
    })

    it(`${mode}: a blob stream ends in an error, not a hang or a short blob`, async () => {
      server = await startSilentServer({ mode, answer: ping, bodyBytes: 4096 })
      const client = new RegistryClient({ registry: server.host, idleTimeoutMs: IDLE_MS })
      const { ms, error } = await timed(`${mode} blob`, async () => {
        const stream = await client.getBlob('app', `sha256:${'a'.repeat(64)}`, 4096)
        for await (const _ of stream) void _
      })
      client.close()
      expect(isDatapubError(error), String(error)).toBe(true)
      expect((error as { fault: string }).fault).toBe('host')
      expect(ms).toBeLessThan(BOUND_MS)
    })

    it(`${mode}: a blob upload ends coded within the bound, the commit sent once`, async () => {
      server = await startSilentServer({ mode, answer: startUpload })
      const client = new RegistryClient({ registry: server.host, idleTimeoutMs: IDLE_MS, uploadMode: 'monolithic' })
      const { ms, error } = await timed(`${mode} upload`, () => client.uploadBlob('app', blobFromBuffer(Buffer.alloc(2048, 7))))
      client.close()
      expect(error).toMatchObject({ code: 'REGISTRY_ERROR', fault: 'host' })
      // Two commits and two best-effort cancels of the session, each ended by the idle timeout.
      expect(ms).toBeLessThan(4 * IDLE_MS + 1500)
      expect(server.writes().filter((r) => r.method === 'PUT').length, 'the commit is not resent blindly into a silent registry').toBeLessThanOrEqual(2)
    })
  }

  it('the next push to a registry that answers completes', async () => {
    const registry = await startRegistry('plain')
    const client = new RegistryClient({ registry: registry.host, idleTimeoutMs: IDLE_MS })
    try {
      const result = await client.uploadBlob('app', blobFromBuffer(Buffer.alloc(2048, 7)))
      expect(await client.blobExists('app', result.digest)).toBe(2048)
    } finally {
      client.close()
      await registry.stop()
    }
    console.info(`silent registry: ${JSON.stringify(tally)}`)
  })
})
