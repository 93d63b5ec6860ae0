import { mkdtemp, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../src/main.js'
import type { CliIO } from '../src/cli-command.js'
import { EXIT } from '../src/exit-codes.js'

async function run(argv: string[], cwd = process.cwd(), env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const io: Partial<CliIO> = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env, isTTY: false }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

describe('datapub', () => {
  it('prints help listing every command', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(EXIT.ok)
    for (const command of ['publish', 'plan', 'providers', 'list', 'status', 'destroy', 'csvs-to-sqlite', 'inspect-image']) expect(stdout).toContain(command)
  })

  it('marks now as a retired host in `datapub providers`, and says what remains', async () => {
    const { code, stdout } = await run(['providers'])
    expect(code).toBe(EXIT.ok)
    const row = stdout.split('\n').find((line) => line.startsWith('now '))
    expect(row).toMatch(/Zeit Now v1 \(retired host\)\s+retired: new deployments refused since 2019; list, status, export and destroy remain/)
    expect(stdout.split('\n').find((line) => line.startsWith('vercel '))).toMatch(/deploys bundle/)
    const json = JSON.parse((await run(['providers', '--json'])).stdout) as Array<{ name: string; retired?: string }>
    expect(json.find((p) => p.name === 'now')?.retired).toMatch(/refused since 2019/)
  })

  it('prints publish help with the common datasette flags and the providers', async () => {
    const { code, stdout } = await run(['publish', '--help'])
    expect(code).toBe(EXIT.ok)
    for (const flag of ['--metadata', '--extra-options', '--branch', '--template-dir', '--plugins-dir', '--static', '--install', '--plugin-secret', '--version-note', '--secret', '--title', '--license', '--license-url', '--source', '--source-url', '--about', '--about-url']) expect(stdout).toContain(flag)
    expect(stdout).toMatch(/local\s+Local Docker engine/)
  })

  it('prints a provider help with its own flags', async () => {
    const { stdout } = await run(['publish', 'local', '--help'])
    expect(stdout).toContain('--health-timeout')
    expect(stdout).toContain('Common options')
  })

  it('exits 2 with a coded error for an unknown command, provider or flag', async () => {
    expect(await run(['pubish'])).toMatchObject({ code: EXIT.user, stderr: expect.stringContaining('Unknown command') })
    const provider = await run(['publish', 'nosuch', 'a.csv'])
    expect(provider.code).toBe(EXIT.user)
    expect(provider.stderr).toContain('error PROVIDER_NOT_FOUND')
    expect(provider.stderr).toContain('hint:')
    const flag = await run(['publish', 'local', 'a.csv', '--titel', 'x'])
    expect(flag.stderr).toContain('Did you mean --title?')
    expect(flag.stderr).not.toMatch(/\n\s+at /)
  })

  it('publishes through a plugin with --json: NDJSON, one object a line, the result last', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'cli-json-'))
    await writeFile(path.join(work, 'fish.csv'), 'id,name\n1,cod\n2,hake\n')
    await mkdir(path.join(work, 'root'))
    const { code, stdout, stderr } = await run(['publish', 'folder', 'fish.csv', '--root', path.join(work, 'root'), '--name', 'fish', '--json', '--secret', 'sentinel-cli-secret-77'], work)
    expect(stderr).toBe('')
    expect(code).toBe(EXIT.ok)
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string })
    expect(lines.at(-1)).toMatchObject({ type: 'result', deployment: { provider: 'folder', name: 'fish' } })
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['stage:start', 'data:table', 'verify:ok']))
    expect(stdout).not.toContain('sentinel-cli-secret-77')
    const listed = await run(['list', 'folder', '--root', path.join(work, 'root'), '--json'], work)
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: 'fish' })])
  })

  it('prints a coded error as the last NDJSON line with --json and exits by fault side', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'cli-err-'))
    const { code, stdout } = await run(['publish', 'folder', 'missing.csv', '--root', work, '--json'], work)
    expect(code).toBe(EXIT.user)
    const last = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { type: string; error: { code: string } }
    expect(last).toMatchObject({ type: 'error', error: { code: 'INPUT_NOT_FOUND' } })
    expect(stdout.match(/"type":"error"/g)).toHaveLength(1)
  })

  it('passes csvs-to-sqlite flags on publish to the data stage', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'cli-csv-'))
    await writeFile(path.join(work, 'zips.csv'), 'zip,town\n01001,Agawam\n02134,Allston\n')
    await mkdir(path.join(work, 'root'))
    const { code, stdout } = await run(['publish', 'folder', 'zips.csv', '--root', path.join(work, 'root'), '--name', 'zips', '--primary-key', 'zip', '--fts', 'town', '--type', 'zip', 'text', '--json'], work)
    expect(code).toBe(EXIT.ok)
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(path.join(work, 'root', 'zips', 'app', 'data.db'), { readonly: true })
    try {
      expect(db.prepare("select sql from sqlite_master where name = 'zips'").get()).toMatchObject({ sql: expect.stringMatching(/PRIMARY KEY/i) })
      expect(db.prepare('select zip from zips order by zip').all()).toEqual([{ zip: '01001' }, { zip: '02134' }])
      expect(db.prepare("select count(*) as n from sqlite_master where name = 'zips_fts'").get()).toEqual({ n: 1 })
    } finally {
      db.close()
    }
    expect(stdout).toContain('"type":"result"')
  })

  it('plans without side effects', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'cli-plan-'))
    await writeFile(path.join(work, 'fish.csv'), 'id\n1\n')
    const { code, stdout } = await run(['plan', 'folder', 'fish.csv', '--root', path.join(work, 'nowhere'), '--json'], work)
    expect(code).toBe(EXIT.ok)
    expect(JSON.parse(stdout)).toMatchObject({ schema: 'datapub.plan/v1', provider: { name: 'folder' }, databases: ['data'] })
  })
})
