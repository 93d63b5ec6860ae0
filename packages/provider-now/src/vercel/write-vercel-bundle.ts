import { createReadStream } from 'node:fs'
import { copyFile, link, mkdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { createDeflateRaw } from 'node:zlib'
import { DatapubError, type PublishSpec } from '@datapub/core/kit'
import type { BundleFile } from './check-bundle-limits.js'
import { parseSettings, renderVercelApp, type VercelAppSpec } from './render-vercel-app.js'
import type { VercelOptions } from './vercel-options.js'

/** The context's `app/` directory: databases, inspect-data.json, metadata.json, templates, plugins, static. */
const APP_PREFIX = 'app/'

export interface VercelBundle {
  dir: string
  files: BundleFile[]
  databases: string[]
  app: VercelAppSpec
}

/**
 * Turns the pipeline's build context into a Vercel app in `out` (a directory we own): the
 * `app/` payload at the root, plus the generated entry point, vercel.json and requirements.
 * The Dockerfile and the builder's scripts are left behind.
 */
export async function writeVercelBundle(context: { dir: string; files: readonly string[] }, spec: PublishSpec, options: VercelOptions, out: string, measureCompressed: boolean): Promise<VercelBundle> {
  const payload = context.files.filter((f) => f.startsWith(APP_PREFIX)).map((f) => f.slice(APP_PREFIX.length))
  const databases = payload.filter((f) => !f.includes('/') && f.endsWith('.db')).sort()
  if (databases.length === 0) {
    throw new DatapubError('VERCEL_NO_DATABASES', `The build context ${context.dir} has no databases under app/.`, { fault: 'internal', provider: 'vercel' })
  }
  const settings = { force_https_urls: true, ...parseSettings(options.setting) }
  const app: VercelAppSpec = {
    datasette: spec.datasette,
    install: spec.install,
    metadata: payload.includes('metadata.json'),
    inspect: payload.includes('inspect-data.json'),
    templates: payload.some((f) => f.startsWith('templates/')),
    plugins: payload.some((f) => f.startsWith('plugins/')),
    staticMounts: spec.staticMounts.map((m) => m.mount),
    settings,
    crossdb: options.crossdb,
    ...(spec.versionNote === undefined ? {} : { versionNote: spec.versionNote }),
  }
  const generated = renderVercelApp(app, databases)
  for (const rel of payload) {
    if (rel in generated) throw new DatapubError('VERCEL_BUNDLE_CONFLICT', `The data would overwrite the generated ${rel}.`, { fault: 'user', provider: 'vercel' })
    const from = path.join(context.dir, APP_PREFIX, ...rel.split('/'))
    const to = path.join(out, ...rel.split('/'))
    await mkdir(path.dirname(to), { recursive: true })
    await link(from, to).catch(() => copyFile(from, to))
  }
  for (const [rel, text] of Object.entries(generated)) {
    const to = path.join(out, ...rel.split('/'))
    await mkdir(path.dirname(to), { recursive: true })
    await writeFile(to, text)
  }
  const files: BundleFile[] = []
  for (const rel of [...payload, ...Object.keys(generated)].sort()) {
    const absolute = path.join(out, ...rel.split('/'))
    const bytes = (await stat(absolute)).size
    files.push({ file: rel, bytes, ...(measureCompressed ? { compressedBytes: await deflatedSize(absolute) } : {}) })
  }
  return { dir: out, files, databases, app }
}

/** Zip's deflate, counted as it streams: the Now 2.0 lambda limit was on the zipped size. */
async function deflatedSize(file: string): Promise<number> {
  let bytes = 0
  await pipeline(
    createReadStream(file),
    createDeflateRaw(),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length
        done()
      },
    }),
  )
  return bytes
}
