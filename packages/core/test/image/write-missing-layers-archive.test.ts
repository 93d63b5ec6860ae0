import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { extract } from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { buildEngineAppendImage } from '../../src/image/append/build-engine-append-image.js'
import { writeMissingLayersArchive } from '../../src/image/append/write-missing-layers-archive.js'
import type { ContainerEngine } from '../../src/contract/container-engine.js'
import type { ImageConfig } from '../../src/registry/image-manifest.js'
import type { RecipeInput } from '../../src/image/recipe-input.js'

const BASE_DIFF_IDS = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`]

/** An engine holding one runtime image: only its config can be read, as from `docker image inspect`. */
function engineWithRuntime(): ContainerEngine & { asked: string[] } {
  const asked: string[] = []
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/usr/bin', 'PORT=1'], User: '1000' }, rootfs: { type: 'layers', diff_ids: BASE_DIFF_IDS } }
  return { endpoint: 'fake', asked, imageConfig: async (ref: string) => (asked.push(ref), structuredClone(config)) } as unknown as ContainerEngine & { asked: string[] }
}

async function entries(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>()
  const ex = extract()
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = []
    stream.on('data', (c: unknown) => chunks.push(c as Buffer))
    stream.on('end', () => (out.set(header.name, Buffer.concat(chunks)), next()))
  })
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve)
    ex.on('error', reject)
    createReadStream(file).pipe(ex)
  })
  return out
}

describe('append onto a runtime image the engine holds', () => {
  it('stacks data layers on the engine image config and writes an archive without the runtime layers', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'datapub-missing-layers-'))
    const app = path.join(dir, 'app')
    await mkdir(app)
    await writeFile(path.join(app, 'data.db'), Buffer.alloc(200_000, 7))
    await writeFile(path.join(app, 'inspect-data.json'), '{}')
    const engine = engineWithRuntime()
    const recipe: RecipeInput = {
      baseImage: 'b', runtimeImage: 'r', python: 'python3', datasette: 'datasette', install: [], pipFindLinks: false, builderAptPackages: [], aptPackages: [], spatialite: false,
      databases: ['data.db'], metadata: false, templates: false, plugins: false, staticMounts: [], extraOptions: [], serveOptions: [], port: 8001,
    }
    const image = await buildEngineAppendImage({ engine, ref: 'datapub-runtime/local:k', appDir: app, recipe, blobDir: path.join(dir, 'blobs') })
    expect(engine.asked).toEqual(['datapub-runtime/local:k'])
    expect(image.base.diffIds).toEqual(BASE_DIFF_IDS)
    expect(image.layers.map((l) => l.label)).toEqual(['database data.db', 'app files'])
    expect(image.config.json.rootfs.diff_ids).toEqual([...BASE_DIFF_IDS, ...image.layers.map((l) => l.diffId)])
    expect(image.config.json.config?.User).toBe('1000')
    expect(image.config.json.config?.Env).toContain('PORT=8001')

    const archive = path.join(dir, 'image.tar')
    const bytes = await writeMissingLayersArchive(image, archive, 'datapub/birds:abc')
    const files = await entries(archive)
    const hex = (d: string) => d.slice(7)
    const configName = `${hex(image.config.descriptor.digest)}.json`
    expect([...files.keys()].sort()).toEqual([configName, 'manifest.json', ...image.layers.map((l) => `${hex(l.digest)}/layer.tar`)].sort())
    expect(JSON.parse(files.get('manifest.json')!.toString())).toEqual([
      { Config: configName, RepoTags: ['datapub/birds:abc'], Layers: [...BASE_DIFF_IDS.map((d) => `${hex(d)}/layer.tar`), ...image.layers.map((l) => `${hex(l.digest)}/layer.tar`)] },
    ])
    for (const layer of image.layers) expect(files.get(`${hex(layer.digest)}/layer.tar`)!.equals(await readFile(layer.path))).toBe(true)
    // Only the new layers cross: the archive is their size plus tar headers, the config and the manifest.
    const layerBytes = image.layers.reduce((a, l) => a + l.size, 0)
    expect(bytes).toBeGreaterThanOrEqual(layerBytes)
    expect(bytes).toBeLessThan(layerBytes + 16 * 1024)
  })
})
