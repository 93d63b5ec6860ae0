import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publish } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { main } from '@datapub/cli'
import { createSandbox, type Sandbox } from './create-sandbox.js'
import { HOSTILE_INPUTS, type HostileCase } from './hostile-inputs.js'
import { dockerInstructions, serveArgvOf } from './serve-argv-of.js'
import { toArgv } from './to-argv.js'

const CASE_TIMEOUT_MS = 20_000

/** A hang is a failure with the case's name, not a stuck suite. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms)))
  try {
    return await Promise.race([work, hung])
  } finally {
    clearTimeout(timer)
  }
}

function materialize<T>(value: T, s: Sandbox): T {
  return JSON.parse(JSON.stringify(value ?? null).replaceAll('@OUT', s.outside).replaceAll('@WORK', s.work)) as T
}

function requestOf(c: HostileCase, s: Sandbox, generateDir: string) {
  const options = materialize(c.options ?? {}, s)
  return {
    provider: c.provider ?? 'local',
    files: materialize(c.files ?? ['data.csv'], s),
    options: { generateDir, ...options },
    providerOptions: materialize(c.providerOptions ?? {}, s),
  }
}

let baseline: Array<[string, string]>

beforeAll(async () => {
  const s = await createSandbox()
  try {
    const run = await recordEvents(publish({ provider: 'local', files: ['data.csv'], options: { generateDir: 'gen', title: 'baseline' }, cwd: s.work, services: { Env: {} } }))
    expect(run.error?.toJSON()).toBeUndefined()
    baseline = dockerInstructions(await readFile(path.join(s.work, 'gen', 'Dockerfile'), 'utf8'))
  } finally {
    await s.remove()
  }
})

afterAll(() => {
  expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined()
})

describe('hostile inputs end in a safe result or a coded error, through the library and the CLI', () => {
  it('has at least 60 cases with distinct names', () => {
    expect(HOSTILE_INPUTS.length).toBeGreaterThanOrEqual(60)
    expect(new Set(HOSTILE_INPUTS.map((c) => c.name)).size).toBe(HOSTILE_INPUTS.length)
  })

  for (const c of HOSTILE_INPUTS) {
    it(c.name, { timeout: 3 * CASE_TIMEOUT_MS }, async () => {
      const s = await createSandbox()
      try {
        await c.setup?.(s)
        const before = await s.snapshot()

        if (!c.cliOnly) {
          const request = requestOf(c, s, 'gen-lib')
          const run = await within(CASE_TIMEOUT_MS, 'publish()', recordEvents(publish({ ...request, cwd: s.work, services: { Env: {} } })))
          if (c.expect === 'ok') {
            expect(run.error?.toJSON(), 'library: expected a safe result').toBeUndefined()
            expect(run.result?.kind).toBe('generated')
            await assertRecipe(c, path.resolve(s.work, String(request.options.generateDir)), s)
          } else {
            expect(run.error?.toJSON(), 'library: expected a coded error').toMatchObject({ code: c.expect, fault: 'user' })
            expect(run.error?.hint, 'a coded error says what to fix').toEqual(expect.any(String))
            expect(run.events.at(-1)).toMatchObject({ type: 'error', error: { code: c.expect } })
          }
          expect(await s.snapshot(), 'library: files outside the work folder changed').toEqual(before)
        }

        const request = requestOf(c, s, 'gen-cli')
        // Hand-written argv gets the generate dir first, so a flag short of values cannot swallow it.
        const argv = ['publish', request.provider, ...(c.argv === undefined ? toArgv(request.files, request.options, request.providerOptions) : ['--generate-dir', 'gen-cli', ...c.argv])]
        let stdout = ''
        let stderr = ''
        const code = await within(
          CASE_TIMEOUT_MS,
          'the CLI',
          main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: s.work, env: {}, isTTY: false }),
        )
        expect(stderr, 'the CLI never prints a stack trace').not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m)
        expect(stderr).not.toContain('rerun with --debug')
        if (c.expect === 'ok') {
          expect({ code, stderr }).toMatchObject({ code: 0 })
          expect(stdout.trim()).toBe(path.resolve(s.work, String(request.options.generateDir)))
          await assertRecipe(c, stdout.trim(), s)
        } else {
          expect({ code, stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(new RegExp(`^error ${c.expect}: `, 'm')) })
        }
        expect(await s.snapshot(), 'CLI: files outside the work folder changed').toEqual(before)
      } finally {
        await s.remove()
      }
    })
  }
})

/** The Dockerfile is exactly the recipe's; hostile text reaches only metadata.json and the CMD's argv, verbatim. */
async function assertRecipe(c: HostileCase, dir: string, s: Sandbox): Promise<void> {
  const dockerfile = await readFile(path.join(dir, 'Dockerfile'), 'utf8')
  const instructions = dockerInstructions(dockerfile)
  if (!c.changesRecipe) {
    expect(instructions.map(([k]) => k)).toEqual(baseline.map(([k]) => k))
    expect(instructions.filter(([k]) => k !== 'CMD')).toEqual(baseline.filter(([k]) => k !== 'CMD'))
  } else {
    expect(instructions.map(([k]) => k).filter((k) => !['RUN', 'ENV'].includes(k))).toEqual(baseline.map(([k]) => k).filter((k) => !['RUN', 'ENV'].includes(k)))
  }
  const argv = await serveArgvOf(dockerfile, s.work)
  expect(argv.slice(0, 2)).toEqual(['datasette', 'serve'])
  expect(argv.slice(-2)).toEqual(['--port', '8001'])
  for (const arg of c.serveArgs ?? []) expect(argv, 'hostile text reaches datasette serve verbatim, as one argument').toContain(materialize(arg, s))
  if (c.metadata !== undefined) {
    const metadata = JSON.parse(await readFile(path.join(dir, 'app', 'metadata.json'), 'utf8')) as Record<string, unknown>
    expect(metadata).toMatchObject(materialize(c.metadata, s))
  }
}
