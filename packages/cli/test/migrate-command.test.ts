import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import type { CliIO } from '../src/cli-command.js'
import { EXIT } from '../src/exit-codes.js'
import { printError } from '../src/print-error.js'


const { nock } = useHttpMock()
const NOW = 'https://api.vercel.com'
const TOKEN = 'sentinel-now-token-migrate-61'

async function run(argv: string[], env: Record<string, string> = {}, json = false) {
  const { migrateCommand } = await import('../src/commands/migrate.js')
  let stdout = ''
  let stderr = ''
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), json, isTTY: false, env: { NOW_TOKEN: TOKEN, ...env }, cwd: process.cwd(), signal: new AbortController().signal }
  let code: number
  try {
    code = await migrateCommand.run(argv, io)
  } catch (error) {
    code = printError(error, io, false)
  }
  return { code, stdout, stderr }
}

function mockNowExport(times = 1) {
  const api = nock(NOW, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
  api.get('/v13/deployments/dpl_birds').times(times).reply(200, { uid: 'dpl_birds', name: 'birds', url: 'birds-abc.now.sh', state: 'READY', created: 1, meta: { datapubEnvNames: 'DATASETTE_SECRET' } })
  api.get('/v2/deployments/dpl_birds/aliases').times(times).reply(200, { aliases: [{ alias: 'birds.now.sh' }] })
}

describe('datapub migrate now → cloudrun (plan)', () => {
  it('dry run: a Now v1 export has no image and no file list, so the plan asks for the build context', async () => {
    mockNowExport()
    const { code, stdout } = await run(['--from', 'now:dpl_birds', '--to', 'cloudrun', '--project', 'datapub-test-1'], { DATAPUB_SECRET_DATASETTE_SECRET: 'sentinel-ds-secret-61' })
    expect(code).toBe(EXIT.user)
    expect(stdout).toContain('Plan: now:dpl_birds → cloudrun (birds)')
    expect(stdout).toMatch(/problem: cannot import: the export has no image in a registry and no recorded input files; pass --sources-dir/)
    expect(stdout).toContain('compare https://birds.now.sh with the new URL')
    expect(stdout).toContain('Dry run: nothing changed')
  })

  it('dry run with --sources-dir plans a rebuild, and names a secret it cannot find', async () => {
    mockNowExport()
    const dir = await mkdtemp(path.join(tmpdir(), 'ctx-'))
    const { code, stdout } = await run(['--from', 'now:dpl_birds', '--to', 'cloudrun', '--sources-dir', dir, '--switch', '--max-instances', '2'])
    expect(code).toBe(EXIT.user)
    expect(stdout).toContain('rebuild the image from the given recorded input file(s), then deploy birds on Google Cloud Run')
    expect(stdout).toContain('problem: no value for DATASETTE_SECRET')
    expect(stdout).toContain('(skipped) Google Cloud Run has no alias or traffic operation')
  })

  it('--apply with a missing secret fails with MIGRATE_SECRET_MISSING before touching the target', async () => {
    mockNowExport()
    const dir = await mkdtemp(path.join(tmpdir(), 'ctx-'))
    const { code, stderr } = await run(['--from', 'now:dpl_birds', '--to', 'cloudrun', '--sources-dir', dir, '--apply'])
    expect(code).toBe(EXIT.user)
    expect(stderr).toContain('error MIGRATE_SECRET_MISSING: No value for DATASETTE_SECRET')
    expect(stderr).toContain('DATAPUB_SECRET_DATASETTE_SECRET')
  })

  it('takes secrets from --secrets-file; --json prints the plan as one object', async () => {
    mockNowExport()
    const dir = await mkdtemp(path.join(tmpdir(), 'ctx-'))
    const secrets = path.join(dir, 'secrets.env')
    await writeFile(secrets, 'DATASETTE_SECRET=from-the-file-61\n')
    const { code, stdout } = await run(['--from', 'now:dpl_birds', '--to', 'cloudrun', '--sources-dir', dir, '--secrets-file', secrets], {}, true)
    expect(code).toBe(EXIT.ok)
    const result = JSON.parse(stdout) as { kind: string; plan: { problems: string[] }; descriptor: { envNames: string[] } }
    expect(result).toMatchObject({ kind: 'planned', plan: { problems: [] }, descriptor: { envNames: ['DATASETTE_SECRET'] } })
    expect(stdout).not.toContain('from-the-file-61')
  })

  it('batch dry run prints a table, one row per deployment', async () => {
    mockNowExport()
    const dir = await mkdtemp(path.join(tmpdir(), 'batch-'))
    const list = path.join(dir, 'list.txt')
    await writeFile(list, 'now:dpl_birds\n')
    const { code, stdout } = await run(['--batch', list, '--to', 'cloudrun', '--sources-dir', dir], { DATASETTE_SECRET: 'plain-name-61' })
    expect(code).toBe(EXIT.ok)
    expect(stdout).toMatch(/^SOURCE\s+STATE\s+TRIES\s+STEP\s+URL \/ ERROR\nnow:dpl_birds\s+planned\s+0/m)
    expect(stdout).toContain('1 planned; dry run')
  })

  it('refuses bad invocations with coded errors', async () => {
    expect((await run(['--to', 'cloudrun'])).stderr).toContain('needs --from')
    expect((await run(['--from', 'now:x'])).stderr).toContain('needs --to')
    expect((await run(['--from', 'nocolon', '--to', 'cloudrun'])).stderr).toContain('is not <provider>:<deployment>')
    expect((await run(['--from', 'now:x', '--to', 'cloudrun', '--concurrency', 'many'])).stderr).toContain('--concurrency takes a whole number')
    expect((await run(['--help'])).stdout).toContain('--destroy-source')
  })
})

describe('datapub migrate → fly (plan)', () => {
  it('now → fly: the plan rebuilds from --sources-dir and deploys on Fly, reading Fly flags', async () => {
    mockNowExport()
    const dir = await mkdtemp(path.join(tmpdir(), 'ctx-'))
    const { code, stdout } = await run(['--from', 'now:dpl_birds', '--to', 'fly', '--sources-dir', dir, '--region', 'ams', '--machines', '2'], { DATAPUB_SECRET_DATASETTE_SECRET: 'sentinel-ds-secret-61', FLY_API_TOKEN: 'sentinel-fly-token-migrate-61' })
    expect(stdout).toContain('Plan: now:dpl_birds → fly (birds)')
    expect(stdout).toContain('then deploy birds on Fly.io (Machines API)')
    expect(stdout).toContain('Dry run: nothing changed')
    expect(stdout).not.toContain('sentinel-fly-token-migrate-61')
    expect(code).toBe(EXIT.ok)
  })

  it('a bad Fly flag is a coded user error naming it', async () => {
    // The target's flags are read before the source is exported: no request reaches Now.
    const { code, stderr } = await run(['--from', 'now:dpl_birds', '--to', 'fly', '--region', 'Amsterdam'])
    expect(code).toBe(EXIT.user)
    expect(stderr).toMatch(/region/)
  })
})
