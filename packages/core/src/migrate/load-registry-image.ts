import { PassThrough, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream } from '../util/tar-stream.js'
import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import type { ContainerEngine } from '../contract/container-engine.js'
import type { RegistryClient } from '../registry/registry-client.js'
import type { ImageManifest } from '../registry/image-manifest.js'

/**
 * Puts a registry image on the engine without `docker pull` (the engine may not reach the
 * registry, or lack its credentials): streams config and layers into a docker-archive and hands
 * it to `docker load`, which inflates gzipped layers itself. Nothing is buffered but the config.
 */
export async function loadRegistryImage(engine: ContainerEngine, client: RegistryClient, repository: string, manifest: ImageManifest, tag: string): Promise<{ ref: string; imageId: string }> {
  const archive = tarStream().pack()
  const configName = `${manifest.config.digest.replace(/^sha256:/, '')}.json`
  const layerNames = manifest.layers.map((l) => `${l.digest.replace(/^sha256:/, '')}/layer.tar`)
  const writing = (async () => {
    const config = await readAll(await client.getBlob(repository, manifest.config.digest, manifest.config.size))
    archive.entry({ name: configName, size: config.length }, config)
    for (const [i, layer] of manifest.layers.entries()) {
      // Asked for before the entry opens: an entry left open without a pipeline has no error listener when the archive is destroyed.
      const body = await client.getBlob(repository, layer.digest, layer.size)
      await pipeline(body, archive.entry({ name: layerNames[i]!, size: layer.size }))
    }
    const index = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerNames }]))
    archive.entry({ name: 'manifest.json', size: index.length }, index)
    archive.finalize()
  })().then(
    () => undefined,
    (error: unknown) => {
      archive.destroy(error as Error)
      return error
    },
  )
  const out = new PassThrough()
  archive.pipe(out)
  archive.on('error', (error) => out.destroy(error))
  // The engine's request only stops reading on this error; the download's error is reported below.
  out.on('error', () => undefined)
  // A corrupt or missing blob stops the archive before its manifest.json, so the engine loads
  // nothing; the registry's coded error is the one to report, not the engine's complaint about
  // a cut archive. An engine that fails first stops the archive, so the download ends too.
  let engineError: unknown
  const loading = engine.loadImage(out).catch((error: unknown) => {
    engineError = error
    archive.destroy()
    return []
  })
  const failed = await writing
  const loaded = await loading
  if (failed !== undefined && (engineError === undefined || isDatapubError(failed))) throw failed
  if (engineError !== undefined) throw engineError
  if (!(await engine.imageExists(tag))) {
    throw new DatapubError('MIGRATE_LOAD_FAILED', `The engine did not load ${tag} (it reported ${loaded.join(', ') || 'nothing'}).`, { fault: 'host' })
  }
  return { ref: tag, imageId: manifest.config.digest }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
