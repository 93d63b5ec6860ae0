import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { extract } from 'tar-stream'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAppendImage } from '../../src/image/append/build-append-image.js'
import { appendBytesToSend, pushAppendImage } from '../../src/image/append/push-append-image.js'
import { writeDockerArchive } from '../../src/image/append/write-docker-archive.js'
import { writeOciLayout } from '../../src/image/append/write-oci-layout.js'
import { MEDIA_TYPES } from '../../src/registry/media-types.js'
import { RegistryClient } from '../../src/registry/registry-client.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'
import { pushSyntheticBase, recipeFor, sha, writeAppDir } from './append-fixtures.js'

const run = promisify(execFile)

async function tarListing(gz: Buffer): Promise<Array<{ name: string; mode: number; uid: number; gid: number; mtime: number }>> {
  const out: Array<{ name: string; mode: number; uid: number; gid: number; mtime: number }> = []
  const ex = extract()
  ex.on('entry', (header, stream, next) => {
    out.push({ name: header.name, mode: header.mode ?? 0, uid: header.uid ?? -1, gid: header.gid ?? -1, mtime: header.mtime?.getTime() ?? -1 })
    stream.resume()
    stream.on('end', next)
  })
  const finished = new Promise<void>((resolve, reject) => {
    ex.on('finish', () => resolve())
    ex.on('error', reject)
  })
  Readable.from([gunzipSync(gz)]).pipe(ex)
  await finished
  return out
}

describe('buildAppendImage against a real registry', () => {
  let registry: TestRegistry
  let client: RegistryClient
  let work: string

  beforeAll(async () => {
    registry = await startRegistry('plain')
    client = new RegistryClient({ registry: registry.host })
    work = await mkdtemp(path.join(tmpdir(), 'datapub-append-'))
    await pushSyntheticBase(client, 'datapub/runtime', 'r1')
  })
  afterAll(async () => {
    client?.close()
    await registry?.stop()
    await rm(work, { recursive: true, force: true })
  })

  it('stacks one layer per database plus an app layer, with a deterministic tar and a config that matches', async () => {
    const app = path.join(work, 'app-a')
    await writeAppDir(app, { 'one.db': 200_000, 'two.db': 50_000 })
    const image = await buildAppendImage({ base: { client, repository: 'datapub/runtime', reference: 'r1' }, appDir: app, recipe: recipeFor(['one.db', 'two.db']), format: 'oci', blobDir: path.join(work, 'blobs-a') })
    expect(image.manifest.json.layers).toHaveLength(2 + 3)
    expect(image.layers.map((l) => l.label)).toEqual(['database one.db', 'database two.db', 'app files'])
    const config = image.config.json
    expect(config.rootfs.diff_ids).toHaveLength(5)
    for (const layer of image.layers) {
      const blob = await readFile(layer.path)
      expect(sha(blob)).toBe(layer.digest)
      expect(sha(gunzipSync(blob))).toBe(layer.diffId)
      expect(config.rootfs.diff_ids).toContain(layer.diffId)
      expect(blob[9]).toBe(0xff)
      expect(blob.readUInt32LE(4)).toBe(0)
    }
    const listing = await tarListing(await readFile(image.layers[2]!.path))
    expect(listing.map((e) => e.name)).toEqual(['app/', 'app/inspect-data.json', 'app/metadata.json', 'app/templates/', 'app/templates/index.html'])
    expect(new Set(listing.map((e) => `${e.uid}:${e.gid}:${e.mtime}`))).toEqual(new Set(['0:0:0']))
    expect(listing.find((e) => e.name === 'app/metadata.json')!.mode).toBe(0o644)
    expect(config.config?.Cmd?.[0]).toBe('/bin/sh')
    expect(config.config?.Cmd?.[2]).toMatch(/^exec datasette serve --host 0\.0\.0\.0 -i one\.db -i two\.db .*--port "\$PORT"$/)
    expect(config.config?.Env).toEqual(['PATH=/opt/datasette/bin:/usr/bin:/bin', 'PORT=8001'])
    expect(config.config?.ExposedPorts).toEqual({ '8001/tcp': {} })
    expect(config.history).toHaveLength(5)
    expect(config).not.toHaveProperty('container_config')
  })

  it('gives identical digests for two builds of the same inputs in different places', async () => {
    const digests: string[] = []
    const content = randomBytes(300_000)
    for (const [i, name] of ['x1', 'x2'].entries()) {
      const app = path.join(work, name)
      await writeAppDir(app, { 'data.db': content })
      // Different host mtimes and a different clock second: neither may leak into the image.
      await utimes(path.join(app, 'data.db'), 1_000_000 + i * 5000, 1_000_000 + i * 5000)
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1100))
      const image = await buildAppendImage({ base: { client, repository: 'datapub/runtime', reference: 'r1' }, appDir: app, recipe: recipeFor(['data.db']), format: 'docker', blobDir: path.join(work, `blobs-${name}`) })
      digests.push(image.manifest.digest)
    }
    expect(digests[0]).toBe(digests[1])
  })

  it('pushes only what the target lacks: a data change sends the new database layer, the small app layer and config', async () => {
    const app = path.join(work, 'app-push')
    const big = randomBytes(2_000_000)
    await writeAppDir(app, { 'big.db': big, 'small.db': 10_000 })
    const build = () => buildAppendImage({ base: { client, repository: 'datapub/runtime', reference: 'r1' }, appDir: app, recipe: recipeFor(['big.db', 'small.db']), format: 'docker', blobDir: path.join(work, 'blobs-push') })
    const first = await build()
    const target = { client, repository: 'datapub/site', tags: ['latest'] }
    const firstPush = await pushAppendImage(first, target)
    expect(firstPush.digest).toBe(first.manifest.digest)
    // Base layers come from the runtime repository by mount, never re-uploaded.
    expect(firstPush.blobs.filter((b) => b.via === 'mounted')).toHaveLength(2)

    await writeFile(path.join(app, 'small.db'), randomBytes(12_000))
    // As the data stage would: the inspect file carries the new hash.
    await writeFile(path.join(app, 'inspect-data.json'), JSON.stringify({ small: { hash: 'changed' } }))
    const second = await build()
    const plan = await appendBytesToSend(second, target)
    const changed = second.layers.filter((l) => !first.layers.some((f) => f.digest === l.digest))
    expect(changed.map((l) => l.label).sort()).toEqual(['app files', 'database small.db'].sort())
    const secondPush = await pushAppendImage(second, target)
    const expected = changed.reduce((s, l) => s + l.size, 0) + second.config.bytes.length + second.manifest.bytes.length
    expect(secondPush.bytesSent).toBe(expected)
    expect(plan.bytes).toBe(expected)
    expect(secondPush.blobs.filter((b) => b.via === 'uploaded').map((b) => b.digest).sort()).toEqual([...changed.map((l) => l.digest), second.config.descriptor.digest].sort())
    const stored = await client.getManifest('datapub/site', 'latest')
    expect(stored.digest).toBe(second.manifest.digest)
    expect(stored.mediaType).toBe(MEDIA_TYPES.dockerManifest)
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/datapub/site:latest`])
    expect(sha(Buffer.from(stdout))).toBe(second.manifest.digest)
    const inspected = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', '--config', `docker://${registry.host}/datapub/site:latest`])).stdout) as { config: { Cmd: string[] } }
    expect(inspected.config.Cmd).toEqual(second.config.json.config?.Cmd)
  })

  it('pushes to another registry by streaming the base layers across', async () => {
    const other = await startRegistry('htpasswd')
    const otherClient = new RegistryClient({ registry: other.host, credentials: { username: other.username, password: other.password } })
    try {
      const app = path.join(work, 'app-cross')
      await writeAppDir(app, { 'c.db': 5000 })
      const image = await buildAppendImage({ base: { client, repository: 'datapub/runtime', reference: 'r1' }, appDir: app, recipe: recipeFor(['c.db']), format: 'docker', blobDir: path.join(work, 'blobs-cross') })
      const pushed = await pushAppendImage(image, { client: otherClient, repository: 'heroku-like/web', tags: ['latest'] })
      expect(pushed.blobs.filter((b) => b.via === 'uploaded')).toHaveLength(image.manifest.json.layers.length + 1)
      await run('skopeo', ['inspect', '--tls-verify=false', '--creds', `${other.username}:${other.password}`, `docker://${other.host}/heroku-like/web:latest`])
    } finally {
      otherClient.close()
      await other.stop()
    }
  })

  it('writes an OCI layout and a docker-archive that skopeo reads back with the same config', async () => {
    const app = path.join(work, 'app-files')
    await writeAppDir(app, { 'f.db': 40_000 })
    const image = await buildAppendImage({ base: { client, repository: 'datapub/runtime', reference: 'r1' }, appDir: app, recipe: recipeFor(['f.db']), format: 'docker', blobDir: path.join(work, 'blobs-files') })
    const layout = path.join(work, 'layout')
    await writeOciLayout(image, layout, 'v1')
    const fromLayout = JSON.parse((await run('skopeo', ['inspect', '--config', `oci:${layout}:v1`])).stdout) as { rootfs: { diff_ids: string[] } }
    expect(fromLayout.rootfs.diff_ids).toEqual(image.config.json.rootfs.diff_ids)
    const archive = path.join(work, 'image.tar')
    await writeDockerArchive(image, archive, 'datapub/local:v1')
    const fromArchive = JSON.parse((await run('skopeo', ['inspect', '--config', `docker-archive:${archive}`])).stdout) as { rootfs: { diff_ids: string[] } }
    expect(fromArchive.rootfs.diff_ids).toEqual(image.config.json.rootfs.diff_ids)
  })
})
