import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { engineEnv } from '../helpers/engine-env.js'

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const bin = path.join(root, 'packages/cli/bin/datapub.mjs')
const name = `cli-e2e-${process.pid}`

function datapub(args: string[]) {
  const env = engineEnv()
  return run(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, DOCKER_HOST: env.dockerHost, DATAPUB_BASE_IMAGE: env.baseImage, DATAPUB_PIP_FIND_LINKS: env.wheels },
    maxBuffer: 64 * 1024 * 1024,
  })
}

afterAll(async () => {
  await datapub(['destroy', 'local', name]).catch(() => undefined)
})

describe('the built datapub command', () => {
  it('publishes the example CSV to local and the URL serves it', async () => {
    expect(existsSync(path.join(root, 'packages/cli/dist/main.js')), 'run `pnpm build` first').toBe(true)
    const { stdout } = await datapub(['publish', 'local', 'examples/timezones/timezones.csv', '--name', name, '--title', 'Time zones', '--json'])
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; deployment?: { url: string } })
    const result = events.at(-1)
    expect(result?.type).toBe('result')
    const url = result?.deployment?.url as string
    const rows = (await (await fetch(new URL('data/timezones.json?_shape=array&_size=1000', url))).json()) as Array<Record<string, unknown>>
    expect(rows).toHaveLength(418)
    expect(rows.find((r) => r.timezone === 'Europe/Paris')).toMatchObject({ country_code: 'FR', latitude: 48.8667, longitude: 2.3333 })
    const { stdout: listed } = await datapub(['list', 'local', '--json'])
    expect(JSON.parse(listed)).toEqual(expect.arrayContaining([expect.objectContaining({ name, state: 'running', url })]))
  })

  it('destroys it', async () => {
    await datapub(['destroy', 'local', name])
    const failure = await datapub(['status', 'local', name]).then(() => undefined, (e: { code: number; stderr: string }) => e)
    expect(failure?.code).toBe(2)
    expect(failure?.stderr).toContain('error DEPLOYMENT_NOT_FOUND')
  })
})
