import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { checkFences, importsOf } from '../../../scripts/check-fences.mjs'

// Spelt in two parts so that this file itself holds no dynamic import of nock for the checker to find.
const DYNAMIC = 'imp' + 'ort'
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
let root: string | undefined

/** A throwaway tree of the given files; answers the checker's verdict on all of them. */
function tree(files: Record<string, string>, allow: Array<{ rule: string; file: string }> = []) {
  root = mkdtempSync(path.join(tmpdir(), 'fences-'))
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.join(root, path.dirname(file)), { recursive: true })
    writeFileSync(path.join(root, file), text)
  }
  return checkFences(root, Object.keys(files), allow)
}

afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
  root = undefined
})

const good = {
  'packages/core/src/kit.ts': "export { a } from './a.js'\n",
  'packages/core/src/a.ts': "import { b } from './b.js'\nexport const a = b\n",
  'packages/core/src/b.ts': 'export const b = 1\n',
  'packages/provider-acme/src/index.ts': "import { defineProvider, type Emit } from '@datapub/core/kit'\nimport { createFakeContext } from '@datapub/core/testing'\n",
  'packages/provider-acme/test/acme.test.ts': "import { publish } from '@datapub/core'\nimport { useHttpMock } from '../../../test/helpers/http-mock.js'\nimport { x } from '../src/index.js'\n",
  'test/helpers/http-mock.ts': "import nock from 'nock'\nexport type Nock = typeof nock\n",
}

describe('check-fences', () => {
  it('passes a tree that keeps every fence', () => {
    expect(tree(good)).toEqual([])
  })

  it('fails a provider that imports core beyond kit, testing and errors, by entry or by path', () => {
    const breaches = tree({
      ...good,
      'packages/provider-acme/src/deploy.ts': "import { publish } from '@datapub/core'\nimport { RegistryClient } from '../../core/src/a.js'\n",
    })
    expect(breaches.map((b) => [b.rule, b.file])).toEqual([
      ['provider', 'packages/provider-acme/src/deploy.ts'],
      ['provider', 'packages/provider-acme/src/deploy.ts'],
    ])
    expect(breaches[0]?.message).toContain('@datapub/core/kit')
  })

  it("fails a test that imports another package's src/", () => {
    const breaches = tree({ ...good, 'packages/provider-acme/test/reach.test.ts': "import { a } from '../../core/src/a.js'\n" })
    expect(breaches).toEqual([expect.objectContaining({ rule: 'test-src', file: 'packages/provider-acme/test/reach.test.ts' })])
  })

  it('fails any file but the HTTP mock helper that imports nock, type imports included', () => {
    const breaches = tree({ ...good, 'packages/core/test/mock.ts': "import type { Scope } from 'nock'\n", 'test/unit/x.test.ts': `const nock = await ${DYNAMIC}('nock')\n` })
    expect(breaches.map((b) => [b.rule, b.file]).sort()).toEqual([
      ['nock', 'packages/core/test/mock.ts'],
      ['nock', 'test/unit/x.test.ts'],
    ])
  })

  it('fails an import cycle in a package, type-only edges included, but not a lazy import()', () => {
    const breaches = tree({ ...good, 'packages/core/src/b.ts': "import type { a } from './a.js'\nexport const b = 1\n" })
    expect(breaches).toEqual([expect.objectContaining({ rule: 'cycle', message: 'import cycle: packages/core/src/a.ts -> packages/core/src/b.ts -> packages/core/src/a.ts' })])
    expect(tree({ ...good, 'packages/core/src/b.ts': "export const load = () => import('./a.js')\n" })).toEqual([])
  })

  it('keeps known exceptions apart and fails one that no longer happens', () => {
    const reach = { ...good, 'test/unit/reach.test.ts': "import { a } from '../../packages/core/src/a.js'\n" }
    expect(tree(reach, [{ rule: 'test-src', file: 'test/unit/reach.test.ts' }])).toEqual([])
    expect(tree(good, [{ rule: 'test-src', file: 'test/unit/reach.test.ts' }])).toEqual([expect.objectContaining({ rule: 'stale-exception' })])
  })

  it('reads imports, re-exports, type imports and dynamic imports, not ones in comments', () => {
    const found = importsOf("import a from 'x'\nexport * from './y.js'\nimport type { T } from 'z'\n// import b from 'no'\nconst c = await import('w')\n")
    expect(found).toEqual([
      { specifier: 'x', kind: 'static' },
      { specifier: './y.js', kind: 'static' },
      { specifier: 'z', kind: 'type' },
      { specifier: 'w', kind: 'dynamic' },
    ])
  })

  it('holds for this repository', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean)
    const allow = (JSON.parse(readFileSync(path.join(repo, 'scripts/fences-allow.json'), 'utf8')) as { allow: Array<{ rule: string; file: string }> }).allow
    expect(checkFences(repo, files, allow)).toEqual([])
  })
})
