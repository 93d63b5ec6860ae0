import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { isDatapubError } from '@datapub/core/errors'
import { printError } from '@datapub/cli'

export interface SecretHit {
  sentinel: string
  /** How it appeared: raw, base64 or url-encoded. */
  form: string
  where: string
}

export interface SecretScan {
  /** Text or any value (JSON-serialised) seen by a consumer: a log line, an event, a plan, a descriptor. */
  text(where: string, value: unknown): void
  /** Every surface of an error: message, hint, JSON form, and what the CLI prints with --debug (the cause chain). */
  error(where: string, error: unknown): void
  /** Every file under a directory (a generated build context), names included. */
  tree(where: string, dir: string): Promise<void>
  /** Raw bytes (an image layer). */
  bytes(where: string, data: Buffer): void
  /** Everything scanned so far that holds a sentinel in any of its forms. */
  hits(): SecretHit[]
  /** How many surfaces were scanned; a scan that saw nothing proves nothing. */
  readonly scanned: number
}

/** Forms a secret takes on the way out: as is, inside Basic auth or JSON-in-base64, in a URL. */
function formsOf(sentinel: string): Array<[string, string]> {
  return [
    ['raw', sentinel],
    ['base64', Buffer.from(sentinel).toString('base64').replace(/=+$/, '')],
    ['url-encoded', encodeURIComponent(sentinel)],
  ]
}

/** Collects what a test produced and reports every occurrence of a sentinel token. */
export function createSecretScan(sentinels: string[]): SecretScan {
  const forms = sentinels.flatMap((s) => formsOf(s).map(([form, text]) => ({ sentinel: s, form, text })))
  const hits: SecretHit[] = []
  let scanned = 0
  const scanText = (where: string, text: string) => {
    scanned++
    for (const f of forms) if (text.includes(f.text)) hits.push({ sentinel: f.sentinel, form: f.form, where })
  }
  const stringify = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? String(value))
  return {
    text: (where, value) => scanText(where, stringify(value)),
    error(where, error) {
      if (error === undefined) return
      if (isDatapubError(error)) {
        scanText(`${where}.message`, error.message)
        scanText(`${where}.hint`, error.hint ?? '')
        scanText(`${where}.toJSON`, JSON.stringify(error))
      }
      for (const json of [false, true]) {
        let printed = ''
        const write = (t: string) => void (printed += t)
        printError(error, { stdout: write, stderr: write, json, isTTY: false, env: {}, cwd: process.cwd(), signal: new AbortController().signal }, true)
        scanText(`${where} as the CLI prints it with --debug${json ? ' --json' : ''}`, printed)
      }
    },
    async tree(where, dir) {
      for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        const file = path.join(entry.parentPath, entry.name)
        scanText(`${where}: name ${path.relative(dir, file)}`, file)
        if (entry.isFile()) this.bytes(`${where}/${path.relative(dir, file)}`, await readFile(file))
      }
    },
    bytes(where, data) {
      scanned++
      for (const f of forms) if (data.includes(f.text)) hits.push({ sentinel: f.sentinel, form: f.form, where })
    },
    hits: () => [...hits],
    get scanned() {
      return scanned
    },
  }
}
