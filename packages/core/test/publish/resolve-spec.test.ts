import { mkdtemp, mkdir, writeFile, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { resolvePublishSpec } from '../../src/publish/spec/resolve-spec.js'
import { redactText } from '../../src/http/redact.js'

let dir: string
const SQLITE_HEADER = Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(84)])

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-spec-'))
  await writeFile(path.join(dir, 'a.csv'), 'id,name\n1,x\n')
  await writeFile(path.join(dir, 'b.tsv'), 'id\tname\n1\tx\n')
  await writeFile(path.join(dir, 'c.db'), SQLITE_HEADER)
  await writeFile(path.join(dir, 'fake.db'), 'not sqlite at all, just text.....')
  await writeFile(path.join(dir, 'notes.txt'), 'hello')
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify({ title: 'From file', plugins: { 'datasette-auth': { keep: 1 } } }))
  await writeFile(path.join(dir, 'meta.yml'), 'title: From YAML\nlicense: MIT\n')
  await writeFile(path.join(dir, 'bad.json'), '{"title": ')
  await writeFile(path.join(dir, 'bad.yml'), 'title: [unclosed\n')
  await writeFile(path.join(dir, 'list.json'), '[1, 2]')
  await mkdir(path.join(dir, 'static'))
  await mkdir(path.join(dir, 'templates'))
  await symlink(path.join(dir, 'a.csv'), path.join(dir, 'link.csv'))
})

const resolve = (input: Record<string, unknown>, env: Record<string, string> = {}) => resolvePublishSpec({ files: ['a.csv'], ...input } as never, { cwd: dir, env })
const failure = (input: Record<string, unknown>) => resolve(input).then(() => undefined, (e: unknown) => e)

describe('resolvePublishSpec', () => {
  it('classifies CSV, TSV and SQLite inputs with absolute paths', async () => {
    const spec = await resolve({ files: ['a.csv', 'b.tsv', 'c.db'] })
    expect(spec.inputs.map((i) => [i.kind, path.basename(i.path)])).toEqual([['csv', 'a.csv'], ['tsv', 'b.tsv'], ['sqlite', 'c.db']])
    expect(spec.inputs.every((i) => path.isAbsolute(i.path))).toBe(true)
  })

  it('merges metadata from a file with title, license, source and about flags, datasette style', async () => {
    const spec = await resolve({ metadata: 'meta.json', title: 'Flag title', license: 'CC-BY', licenseUrl: 'https://example.org/l', source: 'Gov', sourceUrl: 'https://example.org/s', about: 'About', aboutUrl: 'https://example.org/a', pluginSecret: [['datasette-auth', 'client_id', 'sentinel-plugin-secret-1']] })
    expect(spec.metadata).toEqual({
      title: 'Flag title',
      license: 'CC-BY',
      license_url: 'https://example.org/l',
      source: 'Gov',
      source_url: 'https://example.org/s',
      about: 'About',
      about_url: 'https://example.org/a',
      plugins: { 'datasette-auth': { keep: 1, client_id: { $env: 'DATASETTE_AUTH_CLIENT_ID' } } },
    })
    expect(spec.env.DATASETTE_AUTH_CLIENT_ID).toBe('sentinel-plugin-secret-1')
    expect(JSON.stringify(spec.metadata)).not.toContain('sentinel-plugin-secret-1')
    expect(redactText('x sentinel-plugin-secret-1')).not.toContain('sentinel-plugin-secret-1')
  })

  it('reads YAML metadata', async () => {
    expect((await resolve({ metadata: 'meta.yml' })).metadata).toEqual({ title: 'From YAML', license: 'MIT' })
  })

  it('uses --secret, then DATASETTE_PUBLISH_SECRET, then a random secret', async () => {
    expect((await resolve({ secret: 'given-secret-1' })).env.DATASETTE_SECRET).toBe('given-secret-1')
    expect((await resolve({}, { DATASETTE_PUBLISH_SECRET: 'env-secret-22' })).env.DATASETTE_SECRET).toBe('env-secret-22')
    const a = (await resolve({})).env.DATASETTE_SECRET
    const b = (await resolve({})).env.DATASETTE_SECRET
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(b)
  })

  it('normalises the datasette requirement from a branch or a version', async () => {
    expect((await resolve({})).datasette).toBe('datasette')
    expect((await resolve({ datasetteVersion: '0.65.1' })).datasette).toBe('datasette==0.65.1')
    expect((await resolve({ branch: 'main' })).datasette).toBe('https://github.com/simonw/datasette/archive/main.zip')
  })

  it('splits extra options on whitespace and resolves directories and mounts', async () => {
    const spec = await resolve({ extraOptions: ' --setting  sql_time_limit_ms 3500 ', static: ['assets:static'], templateDir: 'templates', install: ['datasette-vega', 'datasette-cluster-map==0.17'] })
    expect(spec.extraOptions).toEqual(['--setting', 'sql_time_limit_ms', '3500'])
    expect(spec.staticMounts).toEqual([{ mount: 'assets', dir: path.join(dir, 'static') }])
    expect(spec.templateDir).toBe(path.join(dir, 'templates'))
    expect(spec.install).toEqual(['datasette-vega', 'datasette-cluster-map==0.17'])
  })

  it('picks the minimal runtime unless a runtime image is named, by flag or by DATAPUB_RUNTIME_IMAGE', async () => {
    expect((await resolve({})).image.runtime).toBe('minimal')
    expect((await resolve({}, { DATAPUB_RUNTIME_IMAGE: 'r:1' })).image.runtime).toBe('base')
    expect((await resolve({}, { DATAPUB_RUNTIME_IMAGE: '' })).image.runtime).toBe('minimal')
    expect((await resolve({ runtime: 'minimal' }, { DATAPUB_RUNTIME_IMAGE: 'r:1' })).image.runtime).toBe('minimal')
    expect((await resolve({ runtimeImage: 'python:3.12-slim' })).image.runtime).toBe('base')
    expect((await resolve({ runtime: 'base' })).image.runtime).toBe('base')
  })

  it('takes image defaults from DATAPUB_* environment variables', async () => {
    const spec = await resolve({}, { DATAPUB_BASE_IMAGE: 'b:1', DATAPUB_RUNTIME_IMAGE: 'r:1', DATAPUB_PIP_FIND_LINKS: 'static' })
    expect(spec.image).toMatchObject({ baseImage: 'b:1', runtimeImage: 'r:1', pipFindLinks: path.join(dir, 'static') })
    expect((await resolve({})).image.baseImage).toBe('python:3.11-slim-bookworm')
  })

  it.each([
    [{ files: [] }, 'CONFIG_INVALID', 'files'],
    [{ files: ['missing.csv'] }, 'INPUT_NOT_FOUND', 'files[0]'],
    [{ files: ['notes.txt'] }, 'INPUT_UNSUPPORTED', 'files[0]'],
    [{ files: ['fake.db'] }, 'SQLITE_INVALID', 'files[0]'],
    [{ files: ['static'] }, 'INPUT_UNSUPPORTED', 'files[0]'],
    [{ files: ['a.csv', 'bad\nname.csv'] }, 'INPUT_UNSAFE', 'files[1]'],
    [{ metadata: 'bad.json' }, 'METADATA_INVALID', 'metadata'],
    [{ metadata: 'bad.yml' }, 'METADATA_INVALID', 'metadata'],
    [{ metadata: 'list.json' }, 'METADATA_INVALID', 'metadata'],
    [{ metadata: 'nope.json' }, 'INPUT_NOT_FOUND', 'metadata'],
    [{ static: ['nocolon'] }, 'CONFIG_INVALID', 'static[0]'],
    [{ static: ['../up:static'] }, 'CONFIG_INVALID', 'static[0]'],
    [{ static: ['a:static', 'a:static'] }, 'CONFIG_INVALID', 'static[1]'],
    [{ static: ['a:missing'] }, 'INPUT_NOT_FOUND', 'static[0]'],
    [{ install: ['datasette-vega; rm -rf /'] }, 'INPUT_UNSAFE', 'install[0]'],
    [{ install: ['https://evil.example/x.whl'] }, 'INPUT_UNSAFE', 'install[0]'],
    [{ install: ['--index-url=http://x'] }, 'INPUT_UNSAFE', 'install[0]'],
    [{ aptGetInstall: ['gcc && curl x'] }, 'INPUT_UNSAFE', 'aptGetInstall[0]'],
    [{ pluginSecret: [['bad plugin', 's', 'v']] }, 'INPUT_UNSAFE', 'pluginSecret[0][0]'],
    [{ pluginSecret: [['p', 'bad$setting', 'v']] }, 'INPUT_UNSAFE', 'pluginSecret[0][1]'],
    [{ pluginSecret: [['p', 's']] }, 'CONFIG_INVALID', 'pluginSecret[0]'],
    [{ branch: 'main; curl x' }, 'INPUT_UNSAFE', 'branch'],
    [{ datasetteVersion: 'latest!' }, 'CONFIG_INVALID', 'datasetteVersion'],
    [{ branch: 'main', datasetteVersion: '1.0' }, 'CONFIG_INVALID', 'branch'],
    [{ licenseUrl: 'javascript:alert(1)' }, 'CONFIG_INVALID', 'licenseUrl'],
    [{ databaseName: '../x' }, 'CONFIG_INVALID', 'databaseName'],
    [{ port: 70000 }, 'CONFIG_INVALID', 'port'],
    [{ templateDir: 'a.csv' }, 'INPUT_UNSUPPORTED', 'templateDir'],
    [{ extraOptions: 'ok bad\u0000x' }, 'INPUT_UNSAFE', 'extraOptions[1]'],
  ])('refuses %j with %s at %s', async (input, code, where) => {
    const error = (await failure(input)) as { code: string; path: string; hint?: string }
    expect(error).toMatchObject({ code })
    expect(error.path).toBe(where)
    expect(error.hint).toEqual(expect.any(String))
  })

  it('names every invalid field at once', async () => {
    const error = (await failure({ files: [], port: 'x', licenseUrl: 'nope' })) as { message: string }
    expect(error.message).toContain('files')
    expect(error.message).toContain('port')
    expect(error.message).toContain('licenseUrl')
  })

  it('follows a symlinked input to its real path', async () => {
    const spec = await resolve({ files: ['link.csv'] })
    expect(spec.inputs[0]?.path).toBe(path.join(dir, 'a.csv'))
  })
})
