import { PassThrough, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream } from '../util/tar-stream.js'
import { DatapubError } from '../errors/datapub-error.js'
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
    const config = await readAll(await client.getBlob(repository, manifest.config.digest))
    archive.entry({ name: configName, size: config.length }, config)
    for (const [i, layer] of manifest.layers.entries()) {
      const entry = archive.entry({ name: layerNames[i]!, size: layer.size })
      await pipeline(await client.getBlob(repository, layer.digest), entry)
    }
    const index = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerNames }]))
    archive.entry({ name: 'manifest.json', size: index.length }, index)
    archive.finalize()
  })().catch((error: unknown) => archive.destroy(error as Error))
  const out = new PassThrough()
  archive.pipe(out)
  archive.on('error', (error) => out.destroy(error))
  const [loaded] = await Promise.all([engine.loadImage(out), writing])
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
