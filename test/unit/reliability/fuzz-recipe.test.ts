import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import fc from 'fast-check'
import { stringify as toYaml } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDatapubError, publish } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { main } from '@datapub/cli'
import { fuzzParams, NIGHTLY_FUZZ } from '../../helpers/fuzz/fuzz-params.js'
import { createSandbox, type Sandbox } from './create-sandbox.js'
import { dockerInstructions, serveArgvOf } from './serve-argv-of.js'
import { toArgv } from './to-argv.js'

const run = promisify(execFile)

/**
 * Generated flag values that reach the Dockerfile or a shell, and generated --metadata files,
 * through publish() with --generate-dir (and every 8th case through the CLI too). A value is
 * either refused with a coded user error or arrives verbatim: in the CMD's argv as the real
 * /bin/sh evaluates it, in pip's and apt's argv as the RUN line's shell would pass them, in
 * metadata.json as written. Nothing may be created outside the generate folders.
 */

let s: Sandbox
let baseline: Array<[string, string]>
let n = 0
const stats = { cases: 0, generated: 0, refused: 0, codes: {} as Record<string, number>, cliCases: 0 }

beforeAll(async () => {
  s = await createSandbox()
  await mkdir(path.join(s.work, 'assets'))
  await writeFile(path.join(s.work, 'assets', 'a.txt'), 'a')
  await mkdir(path.join(s.root, 'canary'))
  const first = await recordEvents(publish({ provider: 'local', files: ['data.csv'], options: { generateDir: 'baseline' }, cwd: s.work, services: { Env: {} } }))
  expect(first.error?.toJSON()).toBeUndefined()
  baseline = dockerInstructions(await readFile(path.join(s.work, 'baseline', 'Dockerfile'), 'utf8'))
})
afterAll(async () => {
  await s.remove()
  console.log(`fuzz recipe: ${JSON.stringify(stats)}`)
})

// Shell and Dockerfile syntax, whitespace, control characters and non-ASCII, in short strings.
const PIECES = ['a', 'x1', '-', '--', '=', '.', '/', ':', '@', ' ', '\t', '\n', '\r', '\0', '$', '$(', ')', '${', '}', '`', '"', "'", '\\', ';', '&', '|', '>', '<', '*', '?', '~', '!', '#', '%', '[', ']', '\u001b', 'é', '😀', '\u2028', 'RUN ', 'FROM ', '"]', 'CMD [', 'touch pwned']
const hostile = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((p) => p.join(''))
const hostileList = fc.array(hostile, { maxLength: 3 })

const flagArbs = {
    title: hostile,
    license: hostile,
    source: hostile,
    about: hostile,
    versionNote: hostile,
    extraOptions: hostile,
    install: hostileList,
    aptGetInstall: hostileList,
    buildAptGetInstall: hostileList,
    datasetteVersion: hostile,
    branch: hostile,
    pipIndexUrl: fc.oneof(hostile, hostile.map((h) => `https://pypi.example/${h}`)),
    databaseName: hostile,
    baseImage: fc.oneof(hostile, hostile.map((h) => `python:3.12${h}`)),
    runtimeImage: hostile,
    static: fc.array(hostile.map((m) => `${m}:assets`), { maxLength: 2 }),
    port: fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.constantFrom(80, 8001)),
}
// One to three flags a case: with all of them at once nearly every case is refused by one bad value.
const flagOptions = fc
  .subarray(Object.keys(flagArbs) as Array<keyof typeof flagArbs>, { minLength: 1, maxLength: 3 })
  .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, flagArbs[k]])) as Record<string, fc.Arbitrary<unknown>>))

type Outcome = { ok: true; dir: string } | { ok: false; code: string }

async function throughLibrary(options: Record<string, unknown>, dir: string): Promise<Outcome> {
  const result = await recordEvents(publish({ provider: 'local', files: ['data.csv'], options: { ...options, generateDir: dir }, cwd: s.work, services: { Env: {} } }))
  if (result.error !== undefined) {
    if (!isDatapubError(result.error)) throw result.error
    expect(result.error.toJSON(), 'a refusal is the user\'s to fix and says how').toMatchObject({ fault: 'user', hint: expect.any(String) })
    return { ok: false, code: result.error.code }
  }
  expect(result.result?.kind).toBe('generated')
  return { ok: true, dir: path.join(s.work, dir) }
}

async function throughCli(options: Record<string, unknown>, dir: string): Promise<Outcome> {
  let stdout = ''
  let stderr = ''
  const code = await main(['publish', 'local', '--generate-dir', dir, ...toArgv(['data.csv'], options)], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: s.work,
    env: {},
    isTTY: false,
  })
  expect(stderr, 'the CLI never prints a stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  if (code === 0) return { ok: true, dir: stdout.trim() }
  expect(code).toBe(2)
  const m = /^error ([A-Z_]+): /m.exec(stderr)
  expect(m, stderr).not.toBeNull()
  return { ok: false, code: m![1]! }
}

/** The arguments `sh` would hand to the command a RUN segment starts with `prefix`, evaluated by a real /bin/sh. */
async function shellArgv(dockerfile: string, prefix: string, cwd: string): Promise<string[] | undefined> {
  for (const [keyword, rest] of dockerInstructions(dockerfile)) {
    if (keyword !== 'RUN') continue
    for (const segment of rest.split(' \n && ')) {
      if (!segment.startsWith(prefix)) continue
      const { stdout } = await run('/bin/sh', ['-c', `printf '%s\\0' ${segment.slice(prefix.length)}`], { cwd, env: { PATH: '/usr/bin:/bin' }, timeout: 5000 })
      return stdout.split('\0').slice(0, -1)
    }
  }
  return undefined
}

async function assertVerbatim(options: Record<string, unknown>, dir: string): Promise<void> {
  const dockerfile = await readFile(path.join(dir, 'Dockerfile'), 'utf8')
  const instructions = dockerInstructions(dockerfile)
  // No value starts an instruction of its own: the keywords are the recipe's, in its order (RUN/ENV only for apt).
  const keywords = (list: Array<[string, string]>) => list.map(([k]) => k).filter((k) => k !== 'RUN' && k !== 'ENV')
  expect(keywords(instructions)).toEqual(keywords(baseline))
  for (const [keyword, rest] of instructions) if (keyword === 'FROM') expect(rest, 'an image name is one token').toMatch(/^\S+( AS builder| AS assemble)?$/)
  if (typeof options.baseImage === 'string') expect(instructions[0]).toEqual(['FROM', `${options.baseImage} AS builder`])

  const canary = path.join(s.root, 'canary')
  const argv = await serveArgvOf(dockerfile, canary)
  expect(argv.slice(0, 2)).toEqual(['datasette', 'serve'])
  expect(argv.slice(-2)).toEqual(['--port', '8001'])
  if (typeof options.versionNote === 'string') expect(argv[argv.indexOf('--version-note') + 1]).toBe(options.versionNote)
  if (typeof options.extraOptions === 'string') {
    const tokens = options.extraOptions.split(/\s+/).filter(Boolean)
    const joined = argv.join('\0')
    if (tokens.length > 0) expect(joined, 'extra options reach serve token by token').toContain(tokens.join('\0'))
  }
  if (Array.isArray(options.install) && options.install.length > 0) {
    const pip = await shellArgv(dockerfile, '/opt/datasette/bin/pip install --no-compile', canary)
    for (const requirement of options.install as string[]) expect(pip, 'each --install value is one pip argument').toContain(requirement)
  }
  if (Array.isArray(options.aptGetInstall) && options.aptGetInstall.length > 0) {
    const apt = await shellArgv(dockerfile, 'apt-get install -y --no-install-recommends', canary)
    expect(apt?.filter((p) => p !== 'libsqlite3-mod-spatialite')).toEqual(options.aptGetInstall)
  }
  expect(await readdir(canary), 'the shell ran nothing the value spelled').toEqual([])

  const metadata = JSON.parse(await readFile(path.join(dir, 'app', 'metadata.json'), 'utf8').catch(() => '{}')) as Record<string, unknown>
  for (const key of ['title', 'license', 'source', 'about'] as const) if (typeof options[key] === 'string' && options[key] !== '') expect(metadata[key]).toBe(options[key])
}

async function check(options: Record<string, unknown>, alsoCli: boolean, metadata?: Record<string, unknown>): Promise<Outcome> {
  const before = await s.snapshot()
  const dir = `gen-${n++}`
  stats.cases++
  try {
    const lib = await throughLibrary(options, dir)
    if (lib.ok) {
      stats.generated++
      await assertVerbatim(options, lib.dir)
      // An empty metadata file writes no metadata.json at all.
      if (metadata !== undefined) assertSameMetadata(JSON.parse(await readFile(path.join(lib.dir, 'app', 'metadata.json'), 'utf8').catch(() => '{}')) as Record<string, unknown>, metadata)
    } else {
      stats.refused++
      stats.codes[lib.code] = (stats.codes[lib.code] ?? 0) + 1
    }
    if (alsoCli) {
      stats.cliCases++
      const cli = await throughCli(options, `${dir}-cli`)
      expect(cli.ok ? 'ok' : cli.code, 'the CLI ends as the library does').toBe(lib.ok ? 'ok' : lib.code)
      if (cli.ok) {
        await assertVerbatim(options, cli.dir)
        expect(await readFile(path.join(cli.dir, 'Dockerfile'), 'utf8')).toBe(await readFile(path.join(s.work, dir, 'Dockerfile'), 'utf8'))
      }
    }
    expect(await s.snapshot(), 'nothing outside the work folder changed').toEqual(before)
    return lib
  } finally {
    await rm(path.join(s.work, dir), { recursive: true, force: true })
    await rm(path.join(s.work, `${dir}-cli`), { recursive: true, force: true })
  }
}

// ---- metadata files: JSON and YAML, well-formed and broken ----

const metaKey = fc.oneof(fc.constantFrom('title', 'description', 'databases', 'plugins', '__proto__', 'constructor', 'a b', 'é', ''), fc.string({ maxLength: 6 }))
const metaLeaf = fc.oneof(fc.string({ maxLength: 12 }), hostile, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))
const metaValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, metaLeaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(metaKey, tie('value'), { maxKeys: 4 })),
})).value
const metadataObject = fc.dictionary(metaKey, metaValue, { maxKeys: 5 })

type MetadataFile = { text: string | Buffer; parsed?: Record<string, unknown> }
const metadataFile: fc.Arbitrary<MetadataFile> = fc.oneof(
  metadataObject.map((o) => ({ text: JSON.stringify(o, null, 2), parsed: JSON.parse(JSON.stringify(o)) as Record<string, unknown> })),
  metadataObject.map((o) => ({ text: JSON.stringify(o).replaceAll('\n', '\r\n'), parsed: JSON.parse(JSON.stringify(o)) as Record<string, unknown> })),
  metadataObject.filter((o) => Object.keys(o).length > 0).map((o) => ({ text: toYaml(o), parsed: JSON.parse(JSON.stringify(o)) as Record<string, unknown> })),
  // A UTF-8 BOM in front (Windows editors write one): still the same document.
  fc.tuple(metadataObject, fc.boolean()).map(([o, yaml]) => ({ text: `\ufeff${yaml && Object.keys(o).length > 0 ? toYaml(o) : JSON.stringify(o)}`, parsed: JSON.parse(JSON.stringify(o)) as Record<string, unknown> })),
  // Latin-1 bytes: not UTF-8, so no reading of them is right; it must be refused, not mangled.
  metadataObject.map((o) => ({ text: Buffer.from(JSON.stringify({ ...o, title: 'café' }), 'latin1') })),
  // Broken: cut short, or with bytes spliced in.
  fc.tuple(metadataObject, fc.boolean(), fc.nat(), fc.constantFrom('{', '}', '[', ':', '"', '\n  - ', '&a', '*a', '\0', '\ufeff', '\t')).map(([o, yaml, at, junk]) => {
    const text = yaml ? toYaml(o) : JSON.stringify(o)
    const i = text.length === 0 ? 0 : at % text.length
    return { text: text.slice(0, i) + junk + text.slice(i + (at % 2)) }
  }),
)

/** What metadata.json must hold for a parsed metadata file: the same value, key by key. */
function assertSameMetadata(written: Record<string, unknown>, parsed: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'databases' || key === 'plugins') continue // datapub merges these with its own entries
    expect(Object.hasOwn(written, key), `key ${JSON.stringify(key)} kept`).toBe(true)
    expect(written[key], `value of ${JSON.stringify(key)} unchanged`).toEqual(value)
  }
}

describe('fuzzed flag values and metadata files (fast-check, fixed seed)', () => {
  it('flag values that reach the Dockerfile or a shell arrive verbatim or are refused with a coded error', { timeout: NIGHTLY_FUZZ ? 3_600_000 : 120_000 }, async () => {
    let i = 0
    const before = { ...stats }
    await fc.assert(
      fc.asyncProperty(flagOptions, async (options) => {
        await check(options, i++ % 8 === 0)
      }),
      fuzzParams(200),
    )
    // A fuzzer that only ever hits one branch proves little: both outcomes must be common.
    expect(stats.generated - before.generated).toBeGreaterThan(20)
    expect(stats.refused - before.refused).toBeGreaterThan(20)
  })

  it('metadata files (JSON and YAML, whole and broken) are kept value for value or refused with METADATA_INVALID', { timeout: NIGHTLY_FUZZ ? 3_600_000 : 120_000 }, async () => {
    const seen = { kept: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(metadataFile, fc.constantFrom('meta.json', 'meta.yml'), async (file, name) => {
        await writeFile(path.join(s.work, name), file.text)
        const outcome = await check({ metadata: name }, false, file.parsed)
        if (!outcome.ok) {
          seen.refused++
          expect(outcome.code).toBe('METADATA_INVALID')
          expect(file.parsed, `a well-formed file was refused: ${JSON.stringify(file.text)}`).toBeUndefined()
        } else seen.kept++
      }),
      fuzzParams(150),
    )
    expect(seen.kept).toBeGreaterThan(20)
    expect(seen.refused).toBeGreaterThan(10)
  })
})
