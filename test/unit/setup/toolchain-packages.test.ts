import { spawnSync } from 'node:child_process'
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/** What ensure_toolchain would install for a job on a machine that has none of it (dpkg and id stubbed; nothing is installed). */
async function wouldInstall(job: string): Promise<string[]> {
  const bin = await mkdtemp(path.join(tmpdir(), 'datapub-toolchain-'))
  await writeFile(path.join(bin, 'dpkg-query'), '#!/bin/sh\nexit 1\n')
  await writeFile(path.join(bin, 'id'), '#!/bin/sh\necho 1000\n')
  await Promise.all(['dpkg-query', 'id'].map((f) => chmod(path.join(bin, f), 0o755)))
  const script = `source scripts/toolchain.sh; mapfile -t p < <(toolchain_packages ${job}); ensure_apt_packages "\${p[@]}"`
  const run = spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } })
  expect(run.status, run.stderr).toBe(0)
  const line = /missing Debian packages: (.*) \(install them as root/.exec(run.stderr)?.[1]
  return (line ?? '').split(' ').filter(Boolean)
}

describe('set-up', () => {
  it('the demo installs only what it uses; the tests add their peers', async () => {
    const demo = await wouldInstall('demo')
    expect(demo).toEqual(expect.arrayContaining(['docker.io', 'debootstrap', 'curl']))
    for (const testOnly of ['chromium', 'skopeo', 'sqlite-utils', 'sqlite3', 'docker-registry']) expect(demo).not.toContain(testOnly)
    const test = await wouldInstall('test')
    expect(test).toEqual(expect.arrayContaining([...demo, 'chromium', 'skopeo', 'sqlite-utils', 'docker-registry']))
  })

  it('scripts/demo asks for the demo toolchain and scripts/test for the test one', async () => {
    expect(await readFile(path.join(root, 'scripts/demo'), 'utf8')).toMatch(/^ensure_toolchain demo$/m)
    expect(await readFile(path.join(root, 'scripts/test'), 'utf8')).toMatch(/^ensure_toolchain test$/m)
  })
})
