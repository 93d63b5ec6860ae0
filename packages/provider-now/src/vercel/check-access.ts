import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { createKitHttpClient, registerSecret, sleep, type HttpClientFactory } from '@datapub/core/kit'

export interface AccessCheck {
  access: 'public' | 'protected'
  /** Databases checked through the protection bypass: name and served hash. */
  verified?: string[]
}

interface Served {
  name?: string
  hash?: string | null
}

/**
 * Whether the URL datapub is about to return serves the app to anyone. Deployment Protection
 * (on by default for preview and deployment URLs, vercel.com/docs/deployment-protection) answers
 * with a login page instead: 401, or a redirect to Vercel's login. A protected URL is reported as
 * protected, never as public. With the protection bypass secret (the x-vercel-protection-bypass
 * header of "Protection Bypass for Automation") the served hashes are checked against the
 * bundle's inspect-data.json here, since the pipeline's verify stage sends no such header. The
 * request carries no Vercel token: it goes to the deployment, not the API.
 */
export async function checkAccess(factory: HttpClientFactory, url: string, bundleDir: string, bypass: string | undefined, signal: AbortSignal): Promise<AccessCheck> {
  const client = createKitHttpClient(factory, { baseURL: url, provider: 'vercel', timeoutMs: 20_000 })
  const look = async (headers: Record<string, string>) => {
    const response = await client.request<string>({ method: 'GET', path: '-/databases.json', headers, responseType: 'text', accept: [301, 302, 303, 307, 308, 401, 403, 404, 500, 502, 503], signal }).catch(() => undefined)
    if (response === undefined) return { kind: 'unknown' as const }
    const type = response.headers['content-type'] ?? ''
    const location = response.headers.location ?? ''
    if (response.status === 401 || response.status === 403 || /vercel\.com\/(login|sso)|_vercel_sso/.test(location) || (response.status === 200 && /html/.test(type) && /vercel/i.test(response.body))) return { kind: 'protected' as const }
    if (response.status === 200 && /json/.test(type)) {
      try {
        return { kind: 'served' as const, served: JSON.parse(response.body) as Served[] }
      } catch {
        return { kind: 'unknown' as const }
      }
    }
    return { kind: 'unknown' as const }
  }
  const first = await look({})
  if (first.kind !== 'protected') return { access: 'public' }
  if (bypass === undefined) return { access: 'protected' }
  registerSecret(bypass)
  const wanted = await inspectHashes(bundleDir)
  let problem = 'no answer'
  for (let attempt = 0; attempt < 10; attempt++) {
    const seen = await look({ 'x-vercel-protection-bypass': bypass })
    if (seen.kind === 'served') {
      const byName = new Map((seen.served ?? []).map((d) => [d.name, d.hash]))
      const wrong = Object.entries(wanted).filter(([name, hash]) => byName.get(name) !== hash)
      if (wrong.length === 0) return { access: 'protected', verified: Object.entries(wanted).map(([name, hash]) => `${name}: hash ${hash.slice(0, 12)}`) }
      problem = wrong.map(([name]) => `${name} serves hash ${byName.get(name) ?? '(missing)'}`).join('; ')
    } else problem = seen.kind === 'protected' ? 'the bypass secret was refused' : 'no database list'
    await sleep(1000, signal)
  }
  // Served, but not the new data (or the secret was refused): protected and not verified.
  void problem
  return { access: 'protected', verified: [] }
}

async function inspectHashes(bundleDir: string): Promise<Record<string, string>> {
  const text = await readFile(path.join(bundleDir, 'inspect-data.json'), 'utf8').catch(() => '{}')
  const parsed = JSON.parse(text) as Record<string, { hash?: string }>
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v.hash === 'string').map(([name, v]) => [name, v.hash!]))
}
