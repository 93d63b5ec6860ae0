import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAppendImage } from '../../src/image/append/build-append-image.js'
import { pushAppendImage } from '../../src/image/append/push-append-image.js'
import { runtimeRecipe } from '../../src/image/append/runtime-recipe.js'
import { writeDockerArchive } from '../../src/image/append/write-docker-archive.js'
import { PRUNE_VENV_SCRIPT } from '../../src/image/prune-venv-script.js'
import { IMAGE_PATHS, type RecipeInput } from '../../src/image/recipe-input.js'
import { RegistryClient } from '../../src/registry/registry-client.js'
import { recipeFor } from '../registry/append-fixtures.js'
import { engineEnv } from '../../../../test/helpers/engine-env.js'
import { freePort } from '../../../../test/helpers/registry/free-port.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'

const run = promisify(execFile)
// better-sqlite3 is a dependency of core, not of the workspace root where this test lives.
const Database = createRequire(new URL('../../package.json', import.meta.url))('better-sqlite3') as new (file: string) => SqliteDatabase
interface SqliteDatabase {
  exec(sql: string): void
  prepare(sql: string): { run(...values: unknown[]): unknown }
  close(): void
}

describe('append builder output runs on the real engine', () => {
  let registry: TestRegistry
  let client: RegistryClient
  let work: string
  let recipe: RecipeInput
  let runtimeTag: string
  const containers: string[] = []
  const images: string[] = []
  const docker = (...args: string[]) => run('docker', args, { env: { ...process.env, DOCKER_HOST: engineEnv().dockerHost }, maxBuffer: 64 * 1024 * 1024 })

  beforeAll(async () => {
    const env = engineEnv()
    // Plain: the engine pulls from loopback without a login (token and htpasswd pushes are covered with skopeo in the unit tier).
    registry = await startRegistry('plain')
    client = new RegistryClient({ registry: registry.host })
    work = await mkdtemp(path.join(tmpdir(), 'datapub-append-engine-'))
    recipe = recipeFor(['birds.db'], { baseImage: env.baseImage, runtimeImage: env.runtimeImage, pipFindLinks: true })
    // The runtime image, built once by the engine from the recipe without data, then pushed.
    const runtime = runtimeRecipe(recipe)
    const context = path.join(work, 'runtime-context')
    await mkdir(path.join(context, path.dirname(IMAGE_PATHS.contextPruneScript)), { recursive: true })
    await writeFile(path.join(context, 'Dockerfile'), runtime.dockerfile)
    await writeFile(path.join(context, IMAGE_PATHS.contextPruneScript), PRUNE_VENV_SCRIPT)
    await cp(env.wheels, path.join(context, IMAGE_PATHS.contextWheels), { recursive: true })
    runtimeTag = `${registry.host}/datapub/runtime:${runtime.key}`
    await docker('build', '--network', 'host', '-t', runtimeTag, context)
    images.push(runtimeTag)
    // The engine that built the runtime image pushes it, as the publish pipeline would.
    await docker('push', runtimeTag)
  })

  afterAll(async () => {
    for (const id of containers) await docker('rm', '-f', id).catch(() => undefined)
    for (const image of images) await docker('rmi', '-f', image).catch(() => undefined)
    client?.close()
    await registry?.stop()
    if (work) await rm(work, { recursive: true, force: true })
  })

  async function appDir(name: string, rows: Array<[number, string]>): Promise<string> {
    const dir = path.join(work, name)
    await mkdir(dir, { recursive: true })
    const file = path.join(dir, 'birds.db')
    const db = new Database(file)
    db.exec('create table birds (id integer primary key, name text)')
    const insert = db.prepare('insert into birds values (?, ?)')
    for (const row of rows) insert.run(...row)
    db.close()
    const bytes = await readFile(file)
    const inspect = { birds: { hash: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, file: 'birds.db', tables: { birds: { count: rows.length } } } }
    await writeFile(path.join(dir, 'inspect-data.json'), `${JSON.stringify(inspect, null, 2)}\n`)
    await writeFile(path.join(dir, 'metadata.json'), '{"title":"Birds"}\n')
    return dir
  }

  async function runAndFetch(image: string): Promise<unknown> {
    const port = await freePort()
    const { stdout } = await docker('run', '-d', '--network', 'host', '-e', `PORT=${port}`, image)
    const id = stdout.trim()
    containers.push(id)
    const deadline = Date.now() + 60_000
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/birds/birds.json?_shape=array`)
        if (response.status === 200) return await response.json()
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`container did not serve: ${(await docker('logs', id)).stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  it('pushes an appended image that skopeo inspects and the engine pulls and serves; a data change sends only the new layers', async () => {
    const ref = runtimeTag.slice(registry.host.length + 1)
    const [repository, reference] = ref.split(':') as [string, string]
    const first = await buildAppendImage({ base: { client, repository, reference }, appDir: await appDir('v1', [[1, 'robin']]), recipe, format: 'docker', blobDir: path.join(work, 'blobs') })
    await pushAppendImage(first, { client, repository: 'datapub/birds', tags: ['v1'] })
    const inspected = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/datapub/birds:v1`])).stdout) as { Digest: string }
    expect(inspected.Digest).toBe(first.manifest.digest)
    const image1 = `${registry.host}/datapub/birds:v1`
    await docker('pull', image1)
    images.push(image1)
    expect(await runAndFetch(image1)).toEqual([{ id: 1, name: 'robin' }])

    const second = await buildAppendImage({ base: { client, repository, reference }, appDir: await appDir('v2', [[1, 'robin'], [2, 'heron']]), recipe, format: 'docker', blobDir: path.join(work, 'blobs') })
    const pushed = await pushAppendImage(second, { client, repository: 'datapub/birds', tags: ['v2'] })
    const uploaded = pushed.blobs.filter((b) => b.via === 'uploaded').map((b) => b.digest).sort()
    expect(uploaded).toEqual([second.config.descriptor.digest, ...second.layers.filter((l) => !first.layers.some((f) => f.digest === l.digest)).map((l) => l.digest)].sort())
    const image2 = `${registry.host}/datapub/birds:v2`
    await docker('pull', image2)
    images.push(image2)
    expect(await runAndFetch(image2)).toEqual([{ id: 1, name: 'robin' }, { id: 2, name: 'heron' }])
  })

  it('writes a docker-archive the engine loads and runs', async () => {
    const [repository, reference] = runtimeTag.slice(registry.host.length + 1).split(':') as [string, string]
    const image = await buildAppendImage({ base: { client, repository, reference }, appDir: await appDir('v3', [[3, 'wren']]), recipe, format: 'docker', blobDir: path.join(work, 'blobs') })
    const archive = path.join(work, 'birds.tar')
    const tag = `datapub-archive/birds:${process.pid}`
    await writeDockerArchive(image, archive, tag)
    const { stdout } = await docker('load', '-i', archive)
    images.push(tag)
    expect(stdout).toContain(tag)
    const { stdout: id } = await docker('image', 'inspect', '--format', '{{.Id}}', tag)
    expect(id.trim()).toBe(image.config.descriptor.digest)
    expect(await runAndFetch(tag)).toEqual([{ id: 3, name: 'wren' }])
  })
})
