import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBuildContext } from '../../src/image/create-build-context.js'
import { renderDockerfile } from '../../src/image/render-dockerfile.js'
import type { RecipeInput } from '../../src/image/recipe-input.js'
import { serveArgs } from '../../src/image/serve-args.js'
import { parseDockerfile } from './parse-dockerfile.js'
import { publishSpec, recipeInput } from './recipe-fixtures.js'

const work = mkdtempSync(path.join(tmpdir(), 'datapub-hostile-'))
const canary = path.join(work, 'pwned')
const HOSTILE = [
  `x\nRUN touch ${canary}`,
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `it's "quoted" \\ back\\slash`,
  `; touch ${canary} && echo`,
  `' ; touch ${canary} ; '`,
  '--port 1 \\',
  'ünïcödé \u2028 line separator',
  '"]\nCMD ["evil"]',
]

/** Runs the CMD's `sh -c` string for real, with a `datasette` that prints its argv NUL-separated. */
function argvOf(cmd: string[]): string[] {
  const bin = mkdtempSync(path.join(work, 'bin-'))
  writeFileSync(path.join(bin, 'datasette'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n')
  chmodSync(path.join(bin, 'datasette'), 0o755)
  expect(cmd.slice(0, 2)).toEqual(['/bin/sh', '-c'])
  const out = execFileSync(cmd[0]!, cmd.slice(1), { env: { PATH: `${bin}:/usr/bin:/bin`, PORT: '8123' }, encoding: 'utf8' })
  return out.split('\0').slice(0, -1)
}

// The minimal runtime: builder, assemble stage, scratch final stage ending in USER and CMD.
const EXPECTED_INSTRUCTIONS = ['FROM', 'ENV', 'COPY', 'RUN', 'FROM', 'RUN', 'FROM', 'COPY', 'COPY', 'COPY', 'WORKDIR', 'ENV', 'ENV', 'EXPOSE', 'USER', 'CMD']

describe('hostile strings', () => {
  it('cannot add, break or reorder an instruction, and reach datasette as single arguments', async () => {
    const dbFile = path.join(work, 'source.db')
    writeFileSync(dbFile, 'SQLite format 3\u0000')
    const hostileDbName = `it's $(touch ${canary.replace(/\//g, '_')}) \`id\` ; && "db"`
    const spec = publishSpec({
      metadata: { title: HOSTILE[0], description: HOSTILE.join(' | '), databases: { [HOSTILE[1]!]: { title: HOSTILE[2] } } },
      extraOptions: HOSTILE.filter((h) => !h.includes('\n')),
      versionNote: HOSTILE.join('\n'),
      staticMounts: [{ mount: 'assets.v2', dir: work }],
    })
    spec.staticMounts = [{ mount: 'assets.v2', dir: mkdtempSync(path.join(work, 'static-')) }]
    const context = await createBuildContext(
      { spec, databases: [{ name: hostileDbName, file: dbFile }], inspect: { [hostileDbName]: { hash: 'h', size: 16, file: 'x', tables: {} } } },
      path.join(work, 'context'),
    )
    const parsed = parseDockerfile(context.dockerfile)
    expect(parsed.map((i) => i.instruction)).toEqual(EXPECTED_INSTRUCTIONS)
    const cmd = parsed.at(-1)!
    expect(cmd.json).toBeDefined()
    const argv = argvOf(cmd.json!)
    expect(argv).toEqual([
      'serve', '--host', '0.0.0.0', '-i', `${hostileDbName}.db`, '--cors', '--inspect-file', 'inspect-data.json',
      '--metadata', 'metadata.json', '--version-note', HOSTILE.join('\n'), '--static', 'assets.v2:static/assets.v2',
      ...HOSTILE.filter((h) => !h.includes('\n')), '--port', '8123',
    ])
    expect(existsSync(canary)).toBe(false)
    // metadata travels as a file, byte for byte, never as Dockerfile text
    expect(JSON.parse(readFileSync(path.join(context.dir, 'app', 'metadata.json'), 'utf8'))).toEqual(spec.metadata)
    expect(parsed.slice(0, -1).some((i) => i.args.includes('touch') || i.args.includes('evil'))).toBe(false)
    expect(context.files).toContain(`app/${hostileDbName}.db`)
  })

  it('puts every provider and user option after the fixed ones, before --port', () => {
    const argv = argvOf(JSON.parse(renderDockerfile(recipeInput({ extraOptions: ['&&', 'rm', '-rf', '/'], serveOptions: ['--setting', 'force_https_urls', 'on'] })).split('\n').at(-2)!.slice(4)))
    expect(argv.slice(-9)).toEqual(['&&', 'rm', '-rf', '/', '--setting', 'force_https_urls', 'on', '--port', '8123'])
    expect(argv).toEqual([...serveArgs(recipeInput({ extraOptions: ['&&', 'rm', '-rf', '/'], serveOptions: ['--setting', 'force_https_urls', 'on'] })).slice(1), '--port', '8123'])
  })

  it.each([
    ['a database name with a newline', { databases: ['a\nRUN x.db'] }, 'databases[0]'],
    ['a database name with a slash', { databases: ['../etc/passwd'] }, 'databases[0]'],
    ['a static mount with a shell operator', { staticMounts: ['a;b'] }, 'staticMounts[0]'],
    ['an extra option with a tab', { extraOptions: ['a\tb'] }, 'extraOptions[0]'],
    ['an extra option with a newline', { extraOptions: ['--x\nRUN y'] }, 'extraOptions[0]'],
    ['a version note with NUL', { versionNote: 'a\u0000b' }, 'versionNote'],
    ['a plugin that is an option', { install: ['--index-url=http://evil'] }, 'install[0]'],
    ['a plugin with a newline', { install: ['x\nRUN y'] }, 'install[0]'],
    ['an apt package with a space', { aptPackages: ['gcc curl'] }, 'aptPackages[0]'],
    ['a base image with a newline', { baseImage: 'python\nRUN x' }, 'baseImage'],
    ['an index URL with credentials', { pipIndexUrl: 'https://user:tok@pypi.example.com/simple' }, 'pipIndexUrl'],
    ['an index URL with a quote', { pipIndexUrl: "https://pypi.example.com/'x" }, 'pipIndexUrl'],
  ] as Array<[string, Partial<RecipeInput>, string]>)('refuses %s with INPUT_UNSAFE', (_label, override, field) => {
    expect(() => renderDockerfile(recipeInput(override))).toThrow(expect.objectContaining({ code: 'INPUT_UNSAFE', path: field }))
  })

  it('does not echo credentials of a refused index URL', () => {
    try {
      renderDockerfile(recipeInput({ pipIndexUrl: 'https://user:s3cr3t-token@pypi.example.com/simple' }))
      expect.unreachable()
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('s3cr3t-token')
    }
  })
})
