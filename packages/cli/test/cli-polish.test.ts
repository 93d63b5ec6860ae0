import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { main } from '../src/main.js'
import type { CliIO } from '../src/cli-command.js'
import { EXIT } from '../src/exit-codes.js'

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/datapub.mjs')

async function run(argv: string[], extra: Partial<CliIO> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: process.cwd(), env: {}, isTTY: false, ...extra })
  return { code, stdout, stderr }
}

describe('help', () => {
  it('says "repeatable" and a default once per flag', async () => {
    for (const provider of ['heroku', 'cloudrun', 'vercel', 'local']) {
      const { stdout } = await run(['publish', provider, '--help'])
      for (const line of stdout.split('\n')) {
        expect(line.match(/repeatable/gi)?.length ?? 0, line).toBeLessThanOrEqual(1)
        expect(line.match(/\bdefault\b/gi)?.length ?? 0, line).toBeLessThanOrEqual(1)
      }
    }
    expect((await run(['publish', 'heroku', '--help'])).stdout).toContain('--config-var TEXT       Extra config var for the app: KEY=VALUE (repeatable)\n')
  })

  it('names the provider in the usage line', async () => {
    expect((await run(['publish', 'heroku', '--help'])).stdout).toMatch(/^Usage: datapub publish heroku <files\.\.\.> \[options\]\n/)
    expect((await run(['status', 'heroku', '--help'])).stdout).toMatch(/^Usage: datapub status heroku <deployment> \[options\]\n/)
  })

  it('lists only destroy options for destroy, not the publish ones', async () => {
    const { code, stdout } = await run(['destroy', '--help'])
    expect(code).toBe(EXIT.ok)
    expect(stdout).toContain('--yes')
    expect(stdout).not.toContain('--metadata')
    expect(stdout).not.toContain('--install')
  })

  it('answers `datapub help <command>` as `<command> --help`, with the global options on every command', async () => {
    expect((await run(['help', 'publish', 'heroku'])).stdout).toBe((await run(['publish', 'heroku', '--help'])).stdout)
    for (const argv of [['plan', 'local', '--help'], ['providers', '--help'], ['migrate', '--help'], ['csvs-to-sqlite', '--help'], ['help', 'destroy']]) {
      const { code, stdout } = await run(argv)
      expect(code, argv.join(' ')).toBe(EXIT.ok)
      expect(stdout, argv.join(' ')).toContain('Global options:\n  --json')
    }
  })
})

describe('did you mean', () => {
  it('suggests the closest command and provider, and never a package named after the typo', async () => {
    const command = await run(['publsh', 'local'])
    expect(command).toMatchObject({ code: EXIT.user })
    expect(command.stderr).toContain('Unknown command "publsh". Did you mean "publish"?')
    const provider = await run(['publish', 'herku', 'a.csv'])
    expect(provider.code).toBe(EXIT.user)
    expect(provider.stderr).toContain('error PROVIDER_NOT_FOUND: No provider "herku". Did you mean "heroku"?')
    const stranger = await run(['publish', 'zzqqxx', 'a.csv'])
    expect(stranger.stderr).toContain('error PROVIDER_NOT_FOUND')
    expect(stranger.stderr).not.toContain('Did you mean')
    for (const out of [provider.stderr, stranger.stderr]) expect(out).not.toMatch(/npm install|pnpm add/)
    // A plugin id is a candidate too.
    expect((await run(['list', 'foldr'])).stderr).toContain('Did you mean "folder"?')
  })
})

describe('datapub providers', () => {
  it('lists installed datapub-provider-* plugins with where they come from', async () => {
    const { code, stdout } = await run(['providers', '--json'], { json: true })
    expect(code).toBe(EXIT.ok)
    const rows = JSON.parse(stdout) as Array<{ name: string; kind: string; source: string; dir?: string; installed: boolean }>
    expect(rows.find((r) => r.name === 'heroku')).toMatchObject({ kind: 'built-in', source: '@datapub/provider-heroku', installed: true })
    const folder = rows.find((r) => r.name === 'folder')
    expect(folder).toMatchObject({ kind: 'plugin', source: 'datapub-provider-folder@1.0.0', installed: true })
    expect(folder?.dir).toMatch(/test\/fixtures\/plugins\/datapub-provider-folder$/)
    expect((await run(['providers'])).stdout).toMatch(/^folder +Folder host +deploys context +plugin datapub-provider-folder@1\.0\.0 \(/m)
  })

  it('shows no plugin from a folder that has none installed', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'datapub-noplugins-'))
    const rows = JSON.parse((await run(['providers', '--json'], { json: true, cwd: empty })).stdout) as Array<{ kind: string }>
    // datapub's own install (this workspace) still holds the fixture plugin; the project adds none.
    expect(rows.filter((r) => r.kind === 'plugin').length).toBeLessThanOrEqual(1)
  })
})

describe('destroy confirmation', () => {
  async function deployment() {
    const root = await mkdtemp(path.join(tmpdir(), 'datapub-destroy-'))
    await mkdir(path.join(root, 'fish'))
    await writeFile(path.join(root, 'fish', 'Dockerfile'), 'FROM scratch\n')
    return root
  }

  it('refuses without --yes where nobody can answer, with a coded error and nothing removed', async () => {
    const root = await deployment()
    const { code, stderr } = await run(['destroy', 'folder', 'fish', '--root', root])
    expect(code).toBe(EXIT.user)
    expect(stderr).toContain('error CONFIRMATION_REQUIRED')
    expect(stderr).toContain('--yes')
    expect(existsSync(path.join(root, 'fish'))).toBe(true)
  })

  it('asks on a terminal: no keeps the deployment, yes removes it', async () => {
    const root = await deployment()
    const questions: string[] = []
    const declined = await run(['destroy', 'folder', 'fish', '--root', root], { interactive: true, confirm: async (q) => (questions.push(q), false) })
    expect(declined.code).toBe(EXIT.aborted)
    expect(existsSync(path.join(root, 'fish'))).toBe(true)
    const agreed = await run(['destroy', 'folder', 'fish', '--root', root], { interactive: true, confirm: async (q) => (questions.push(q), true) })
    expect(agreed.code).toBe(EXIT.ok)
    expect(existsSync(path.join(root, 'fish'))).toBe(false)
    expect(questions).toEqual(['Destroy "fish" on Folder host? This cannot be undone.', 'Destroy "fish" on Folder host? This cannot be undone.'])
  })

  it('takes --yes without asking', async () => {
    const root = await deployment()
    const { code } = await run(['destroy', 'folder', 'fish', '--root', root, '--yes'], { interactive: true, confirm: async () => expect.fail('asked despite --yes') })
    expect(code).toBe(EXIT.ok)
    expect(existsSync(path.join(root, 'fish'))).toBe(false)
  })
})

describe('a closed pipe', () => {
  it('ends `datapub plan ... | head -1` quietly: exit 0, no EPIPE stack trace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'datapub-epipe-'))
    await writeFile(path.join(dir, 'f.csv'), 'id,name\n1,a\n')
    const child = spawn(process.execPath, [bin, 'plan', 'local', 'f.csv'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    // The reader goes away before datapub writes anything, as `head -1` does after its line.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /)
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })
})

describe('plan and credentials', () => {
  it('warns when the host credentials are missing, and not when they are present, without calling the host', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'datapub-plan-auth-'))
    await writeFile(path.join(dir, 'a.csv'), 'id\n1\n')
    const plan = (argv: string[], env: Record<string, string>) => run(['plan', ...argv, 'a.csv', '--name', 'my-app'], { cwd: dir, env })
    const heroku = await plan(['heroku'], {})
    expect(heroku.code).toBe(EXIT.ok)
    expect(heroku.stderr).toContain('warning: Heroku credentials: no API key: set HEROKU_API_KEY or pass --api-key')
    expect((await plan(['heroku'], { HEROKU_API_KEY: 'sentinel-plan-key-1' })).stderr).toBe('')
    expect((await plan(['vercel'], {})).stderr).toContain('warning: Vercel (Now 2.0) credentials: no API token: pass --token or set VERCEL_TOKEN or NOW_TOKEN.')
    expect((await plan(['vercel', '--token', 'sentinel-plan-token-2'], {})).stderr).toBe('')
    const cloudrun = await plan(['cloudrun', '--project', 'my-project-1'], { HOME: dir })
    expect(cloudrun.stderr).toContain(`warning: Google Cloud Run credentials: no credentials file at ${path.join(dir, '.config/gcloud/application_default_credentials.json')}`)
    await writeFile(path.join(dir, 'key.json'), '{}')
    expect((await plan(['cloudrun', '--project', 'my-project-1', '--key-file', path.join(dir, 'key.json')], { HOME: dir })).stderr).toBe('')
    const json = await run(['plan', 'heroku', 'a.csv', '--name', 'my-app', '--json'], { cwd: dir, env: {}, json: true })
    expect(JSON.parse(json.stdout)).toMatchObject({ warnings: [expect.stringContaining('no API key')] })
  })
})
