import { closeSync, createReadStream, openSync, writeSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { ContainerEngine } from '@datapub/core'

/**
 * With nock loaded, a response from the engine socket that its reader pauses (docker save read
 * through tar and gzip) is cut off by the interceptor's passthrough ("aborted", ECONNRESET).
 * This wrapper drains archives through a temporary file at disk speed, so the real engine still
 * does every save and load while the hosts are nock'd. Test-only: the bug is in the mock layer.
 */
export function fastDrainEngine(engine: ContainerEngine): ContainerEngine {
  const spool = async (stream: Readable): Promise<Readable> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'datapub-spool-'))
    const file = path.join(dir, 'archive.tar')
    // Synchronous writes: the reader never pauses, so the passthrough never sees backpressure.
    const fd = openSync(file, 'w')
    try {
      for await (const chunk of stream) writeSync(fd, chunk as Buffer)
    } finally {
      closeSync(fd)
    }
    const out = createReadStream(file)
    out.once('close', () => void rm(dir, { recursive: true, force: true }))
    return out
  }
  return new Proxy(engine, {
    get(target, key, receiver) {
      if (key === 'saveImage') return async (ref: string) => spool(await target.saveImage(ref))
      if (key === 'loadImage') return async (archive: Readable) => target.loadImage(await spool(archive))
      const value = Reflect.get(target, key, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
