import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import tar from 'tar-stream'
import { connectEngine, type ContainerEngine } from '@datapub/core'
import { describeProviderConformance } from '@datapub/core/testing'
import { local } from '../src/index.js'

const SECRET = 'sentinel-local-conformance-secret-41c9'

/**
 * A tiny image on the engine's runtime base that answers /-/versions.json on $PORT the way a
 * Datasette does, so the lifecycle runs a real container without a full build.
 */
async function standInImage(engine: ContainerEngine, tag: string): Promise<{ ref: string; imageId: string }> {
  const pack = tar.pack()
  const dockerfile = [
    `FROM ${process.env.DATAPUB_TEST_BASE_RUNTIME}`,
    'COPY versions.json /srv/-/versions.json',
    'CMD ["sh", "-c", "exec python3 -m http.server \\"${PORT:-8001}\\" --bind 0.0.0.0 --directory /srv"]',
    '',
  ].join('\n')
  pack.entry({ name: 'Dockerfile' }, dockerfile)
  pack.entry({ name: 'versions.json' }, '{"datasette": {"version": "stand-in"}}\n')
  pack.finalize()
  const built = await engine.build(Readable.from(pack), { tag, ...((await engine.hasNetwork('bridge')) ? {} : { networkMode: 'host' }) })
  return { ref: built.tag, imageId: built.imageId }
}

describeProviderConformance(local, {
  validOptions: { network: 'auto', healthTimeout: 30 },
  invalidOptions: [
    { options: { network: 'mesh' }, path: 'network' },
    { options: { hostPort: 70_000 }, path: 'hostPort' },
    { options: { publicHost: 'bad host' }, path: 'publicHost' },
  ],
  sentinels: [SECRET],
  lifecycle: {
    async prepare() {
      const engine = await connectEngine()
      const tag = `datapub-arch-conformance:${randomBytes(4).toString('hex')}`
      const image = await standInImage(engine, tag)
      const name = `arch-conformance-${randomBytes(3).toString('hex')}`
      return {
        options: { healthTimeout: 60 },
        context: { engine },
        deploy: { name, artifact: { kind: 'image', ...image }, env: { DATASETTE_SECRET: SECRET }, port: 8001 },
        async cleanup() {
          for (const c of await engine.listContainers({ 'datapub.deployment': name }, true)) await engine.removeContainer(c.id).catch(() => undefined)
          await engine.removeImage(tag).catch(() => undefined)
        },
      }
    },
  },
})
