import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import type { CliIO } from '../src/cli-command.js'
import { EXIT } from '../src/exit-codes.js'
import { printError } from '../src/print-error.js'


// No mocks are registered: any request to a host fails the test (useHttpMock reports it).
useHttpMock()

async function run(argv: string[], env: Record<string, string> = {}) {
  const { importCommand } = await import('../src/commands/import.js')
  let stdout = ''
  let stderr = ''
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), json: false, isTTY: false, env, cwd: process.cwd(), signal: new AbortController().signal }
  let code: number
  try {
    code = await importCommand.run(argv, io)
  } catch (error) {
    code = printError(error, io, false)
  }
  return { code, stdout, stderr }
}

const descriptor = {
  schema: 'datapub.deployment/v1',
  provider: 'heroku',
  id: 'birds',
  name: 'birds',
  url: 'https://birds.herokuapp.com/',
  image: { ref: 'registry.heroku.com/birds/web', registry: 'registry.heroku.com', digest: `sha256:${'c'.repeat(64)}` },
  options: {},
  envNames: ['DATASETTE_SECRET', 'GITHUB_TOKEN'],
}

describe('datapub import', () => {
  it('a missing secret is a coded error naming every variable, before any request', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'import-'))
    const file = path.join(dir, 'birds.json')
    await writeFile(file, JSON.stringify(descriptor))
    const { code, stderr } = await run([file, '--to', 'cloudrun', '--project', 'datapub-test-1'], { DATAPUB_SECRET_DATASETTE_SECRET: 'x-value-1' })
    expect(code).toBe(EXIT.user)
    expect(stderr).toContain('error MIGRATE_SECRET_MISSING: No value for GITHUB_TOKEN')
    expect(stderr).not.toContain('x-value-1')
  })

  it('a malformed descriptor names the field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'import-'))
    const file = path.join(dir, 'bad.json')
    await writeFile(file, JSON.stringify({ ...descriptor, envNames: ['GITHUB_TOKEN=ghp_value'] }))
    const { code, stderr } = await run([file, '--to', 'local'])
    expect(code).toBe(EXIT.user)
    expect(stderr).toContain('error MIGRATE_DESCRIPTOR_INVALID')
    expect(stderr).toContain('envNames[0]')
  })

  it('validates the target provider\'s flags and the name against its rules', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'import-'))
    const file = path.join(dir, 'birds.json')
    await writeFile(file, JSON.stringify({ ...descriptor, envNames: [] }))
    expect((await run([file, '--to', 'cloudrun', '--name', 'Not_Valid'])).stderr).toContain('not a valid Google Cloud Run deployment name')
    expect((await run([file, '--to', 'cloudrun', '--memroy', '1Gi'])).stderr).toContain('--memory')
    expect((await run(['--to', 'local'])).stderr).toContain('needs the descriptor file')
  })
})
