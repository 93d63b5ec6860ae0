import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { layerTar } from '../../src/image/append/layer-tar.js'
import { deterministicTar, listTree } from '../../src/image/deterministic-tar.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deterministic-tar-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _chunk of stream) void _chunk
}

describe('deterministicTar and layerTar', () => {
  it('fails the stream it returns, and only that, when a listed file is gone by the time it is read', async () => {
    // A cancelled publish removes its work folder while the engine may still be reading the context.
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n')
    await writeFile(path.join(dir, 'data.db'), 'x'.repeat(1000))
    const { entries } = await listTree(dir)
    await rm(path.join(dir, 'data.db'))
    await expect(drain(deterministicTar(dir, entries))).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(drain(layerTar([{ path: 'app/data.db', type: 'file', source: path.join(dir, 'data.db'), size: 1000 }]))).rejects.toMatchObject({ code: 'ENOENT' })
    // An 'error' on the inner tar pack would surface here as an uncaught exception (vitest fails the run on one).
    await new Promise((resolve) => setTimeout(resolve, 50))
  })
})
