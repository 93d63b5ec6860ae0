import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dockerConfigCredentials } from '../../src/registry/credentials/docker-config-credentials.js'
import { runCredentialHelper } from '../../src/registry/credentials/run-credential-helper.js'

describe('dockerConfigCredentials', () => {
  let dir: string
  let previousPath: string | undefined
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'datapub-dockercfg-'))
    await mkdir(path.join(dir, 'bin'))
    // A real helper program: answers for one server, logs what it was asked, "not found" otherwise.
    const helper = `#!/bin/sh
read server
echo "$1 $server" >> "${dir}/helper.log"
case "$server" in
  helped.example.com) echo '{"ServerURL":"helped.example.com","Username":"helper-user","Secret":"helper-secret-1"}' ;;
  token.example.com) echo '{"ServerURL":"token.example.com","Username":"<token>","Secret":"identity-from-helper"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"x","Username":"hubuser","Secret":"hub-secret-2"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`
    await writeFile(path.join(dir, 'bin', 'docker-credential-fake'), helper)
    await chmod(path.join(dir, 'bin', 'docker-credential-fake'), 0o755)
    previousPath = process.env.PATH
    process.env.PATH = `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`
  })
  afterAll(async () => {
    process.env.PATH = previousPath
    await rm(dir, { recursive: true, force: true })
  })

  async function configIn(name: string, content: unknown): Promise<string> {
    const folder = path.join(dir, name)
    await mkdir(folder, { recursive: true })
    await writeFile(path.join(folder, 'config.json'), JSON.stringify(content))
    return folder
  }

  it('reads auths entries: base64 auth, username/password, identitytoken, scheme-prefixed keys', async () => {
    const folder = await configIn('auths', {
      auths: {
        '127.0.0.1:5000': { auth: Buffer.from('alice:pa:ss-word').toString('base64') },
        'https://registry.example.com/v2/': { username: 'bob', password: 'bob-secret' },
        'idp.example.com': { identitytoken: 'refresh-abc-123' },
      },
    })
    const resolve = dockerConfigCredentials({ env: { DOCKER_CONFIG: folder }, homedir: '/nonexistent' })
    expect(await resolve('127.0.0.1:5000')).toEqual({ username: 'alice', password: 'pa:ss-word' })
    expect(await resolve('registry.example.com')).toEqual({ username: 'bob', password: 'bob-secret' })
    expect(await resolve('idp.example.com')).toEqual({ identityToken: 'refresh-abc-123' })
    expect(await resolve('other.example.com')).toBeUndefined()
  })

  it('prefers credHelpers, then credsStore, then auths, running the helper without a shell', async () => {
    const folder = await configIn('helpers', {
      credsStore: 'fake',
      credHelpers: { 'helped.example.com': 'fake' },
      auths: { 'plain.example.com': { auth: Buffer.from('carol:carol-pw').toString('base64') }, 'helped.example.com': { auth: Buffer.from('no:no').toString('base64') } },
    })
    const resolve = dockerConfigCredentials({ env: { DOCKER_CONFIG: folder }, homedir: '/nonexistent' })
    expect(await resolve('helped.example.com')).toEqual({ username: 'helper-user', password: 'helper-secret-1' })
    expect(await resolve('token.example.com')).toEqual({ identityToken: 'identity-from-helper' })
    // credsStore says "not found", so the auths entry is used.
    expect(await resolve('plain.example.com')).toEqual({ username: 'carol', password: 'carol-pw' })
    expect(await resolve('docker.io')).toEqual({ username: 'hubuser', password: 'hub-secret-2' })
  })

  it('falls back to REGISTRY_AUTH_FILE (podman/skopeo format) when the Docker config has nothing', async () => {
    const folder = await configIn('podman', { auths: { 'quay.example.com': { auth: Buffer.from('dave:dave-pw').toString('base64') } } })
    const resolve = dockerConfigCredentials({ env: { DOCKER_CONFIG: path.join(dir, 'empty'), REGISTRY_AUTH_FILE: path.join(folder, 'config.json') }, homedir: '/nonexistent' })
    expect(await resolve('quay.example.com')).toEqual({ username: 'dave', password: 'dave-pw' })
  })

  it('reports a missing helper and a broken config with coded errors', async () => {
    const folder = await configIn('missing', { credHelpers: { 'x.example.com': 'does-not-exist' } })
    await expect(dockerConfigCredentials({ env: { DOCKER_CONFIG: folder } })('x.example.com')).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' })
    const broken = path.join(dir, 'broken')
    await mkdir(broken)
    await writeFile(path.join(broken, 'config.json'), '{not json')
    await expect(dockerConfigCredentials({ env: { DOCKER_CONFIG: broken } })('x.example.com')).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })

  it('refuses a helper name that could be a path or an option', async () => {
    await expect(runCredentialHelper('../../bin/sh', 'x')).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })
})
