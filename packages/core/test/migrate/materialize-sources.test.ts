import { createHash } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { materializeSources } from '../../src/migrate/materialize-sources.js'
import { chooseImportPath } from '../../src/migrate/index.js'
import type { DeploymentDescriptor } from '../../src/contract/provider-types.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const FILES = { Dockerfile: 'FROM scratch\n', 'data/birds.db': 'sqlite bytes' }
const descriptor: DeploymentDescriptor = {
  schema: 'datapub.deployment/v1',
  provider: 'now',
  id: 'dpl_1',
  name: 'birds',
  options: {},
  envNames: [],
  sources: Object.entries(FILES).map(([p, c]) => ({ path: p, sha256: sha(c), bytes: Buffer.byteLength(c) })),
}

describe('materializeSources', () => {
  it('takes matching local files first and downloads the rest, checking every hash', async () => {
    const local = await mkdtemp(path.join(tmpdir(), 'src-'))
    await writeFile(path.join(local, 'Dockerfile'), FILES.Dockerfile)
    const fetched: string[] = []
    const out = await mkdtemp(path.join(tmpdir(), 'out-'))
    const result = await materializeSources(descriptor, out, { dir: local, fetch: async (file) => (fetched.push(file), Readable.from([Buffer.from(FILES[file as keyof typeof FILES])])) })
    expect(result).toEqual({ dir: out, files: ['Dockerfile', 'data/birds.db'], verified: true })
    expect(fetched).toEqual(['data/birds.db'])
    expect(await readFile(path.join(out, 'data/birds.db'), 'utf8')).toBe('sqlite bytes')
  })

  it('names every missing or altered file in one coded error', async () => {
    const local = await mkdtemp(path.join(tmpdir(), 'src-'))
    await writeFile(path.join(local, 'Dockerfile'), 'FROM something-else\n')
    const error = await materializeSources(descriptor, await mkdtemp(path.join(tmpdir(), 'out-')), { dir: local }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'MIGRATE_INPUTS_MISSING', fault: 'user', details: { missing: ['Dockerfile (the local copy has another sha256)', 'data/birds.db'] } })
    const served = await materializeSources(descriptor, await mkdtemp(path.join(tmpdir(), 'out-')), { fetch: async () => Readable.from([Buffer.from('tampered')]) }).catch((e: unknown) => e)
    expect(served).toMatchObject({ code: 'MIGRATE_INPUTS_MISSING', details: { missing: ['Dockerfile (the host served other bytes)', 'data/birds.db (the host served other bytes)'] } })
  })

  it('without recorded hashes needs a directory holding a Dockerfile', async () => {
    const bare = { ...descriptor, sources: undefined } as DeploymentDescriptor
    await expect(materializeSources(bare, '/nowhere', {})).rejects.toMatchObject({ code: 'MIGRATE_INPUTS_MISSING' })
    const empty = await mkdtemp(path.join(tmpdir(), 'empty-'))
    await expect(materializeSources(bare, '/nowhere', { dir: empty })).rejects.toMatchObject({ code: 'MIGRATE_INPUTS_MISSING', message: expect.stringContaining('Dockerfile') })
  })
})

describe('chooseImportPath', () => {
  const image = { ref: 'registry.heroku.com/birds/web', digest: `sha256:${'c'.repeat(64)}` }
  it('reuses images, rebuilds only when it must', () => {
    const heroku = { ...descriptor, provider: 'heroku', image, sources: undefined }
    expect(chooseImportPath(heroku, { accepts: 'image', hasPushTarget: true, sourcesAvailable: false, sourceRunsEngineImages: false }).path).toBe('copy')
    expect(chooseImportPath(heroku, { accepts: 'image', hasPushTarget: false, sourcesAvailable: false, sourceRunsEngineImages: false }).path).toBe('load')
    expect(chooseImportPath({ ...heroku, provider: 'local' }, { accepts: 'image', hasPushTarget: true, sourcesAvailable: false, sourceRunsEngineImages: true }).path).toBe('push-engine')
    expect(chooseImportPath({ ...heroku, provider: 'local' }, { accepts: 'image', hasPushTarget: false, sourcesAvailable: false, sourceRunsEngineImages: true }).path).toBe('reuse-engine')
    expect(chooseImportPath(descriptor, { accepts: 'image', hasPushTarget: true, sourcesAvailable: true, sourceRunsEngineImages: false }).path).toBe('rebuild')
    expect(chooseImportPath(descriptor, { accepts: 'context', hasPushTarget: false, sourcesAvailable: true, sourceRunsEngineImages: false }).path).toBe('rebuild-context')
    expect(chooseImportPath(descriptor, { accepts: 'image', hasPushTarget: true, sourcesAvailable: false, sourceRunsEngineImages: false })).toMatchObject({ path: undefined, reason: expect.stringContaining('no image in a registry') })
    expect(chooseImportPath(heroku, { accepts: 'bundle', hasPushTarget: false, sourcesAvailable: true, sourceRunsEngineImages: false }).path).toBeUndefined()
  })
})

describe('assertImageFits', () => {
  it('fails only when the image is surely over the target limit', async () => {
    const { assertImageFits } = await import('../../src/migrate/assert-image-fits.js')
    const now = { name: 'now', title: 'Now', limits: { imageBytes: { value: 100 * 2 ** 20, source: 'Now v2 docker limit' } } } as never
    expect(() => assertImageFits(99 * 2 ** 20, now, 'exact')).not.toThrow()
    expect(() => assertImageFits(120 * 2 ** 20, now, 'lowerBound')).toThrow(/at least 120.0 MiB, over Now's 100.0 MiB limit/)
    expect(() => assertImageFits(10 * 2 ** 30, { name: 'x', title: 'X', limits: {} } as never, 'exact')).not.toThrow()
  })
})
