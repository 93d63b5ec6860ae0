import { readFileSync } from 'node:fs'

export interface StaticAsset {
  body: Buffer
  type: string
}

const FILES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
}

/** The page's three files, read once. A fixed map: no request path ever reaches the file system. */
export function staticAssets(): Map<string, StaticAsset> {
  const out = new Map<string, StaticAsset>()
  for (const [route, [file, type]] of Object.entries(FILES)) out.set(route, { body: readFileSync(new URL(`../public/${file}`, import.meta.url)), type })
  return out
}
