import { describe, expect, it } from 'vitest'
import { connectEngine } from '../../src/image/connect-engine.js'
import { dockerOptions } from '../../src/image/dockerode-engine.js'
import { demuxDockerLogs } from '../../src/image/demux-docker-logs.js'

describe('connectEngine', () => {
  it('names the engine and says how to start one when nothing answers', async () => {
    const error = await connectEngine({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, timeoutMs: 2000 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', fault: 'host' })
    expect((error as Error).message).toContain('/nonexistent/docker.sock')
    expect((error as { hint: string }).hint).toContain('scripts/dev-env up')
  })

  it('never prints credentials embedded in DOCKER_HOST', async () => {
    const error = await connectEngine({ env: { DOCKER_HOST: 'tcp://admin:sentinel-engine-pw@127.0.0.1:1' }, timeoutMs: 2000 }).catch((e: unknown) => e)
    expect(JSON.stringify(error) + (error as Error).message).not.toContain('sentinel-engine-pw')
  })
})

describe('dockerOptions', () => {
  it('maps unix, tcp, tls and ssh hosts', () => {
    expect(dockerOptions('unix:///run/x.sock', {})).toEqual({ socketPath: '/run/x.sock' })
    expect(dockerOptions('tcp://10.0.0.5:2375', {})).toEqual({ host: '10.0.0.5', port: 2375, protocol: 'http' })
    expect(dockerOptions('tcp://engine:2376', { DOCKER_TLS_VERIFY: '1' })).toMatchObject({ host: 'engine', port: 2376, protocol: 'https' })
    expect(dockerOptions('ssh://deploy@build-host:2222', { SSH_AUTH_SOCK: '/agent' })).toMatchObject({ protocol: 'ssh', host: 'build-host', port: 2222, username: 'deploy', sshOptions: { agent: '/agent' } })
  })

  it('refuses unknown schemes with a coded error', () => {
    expect(() => dockerOptions('ftp://x', {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'DOCKER_HOST' }))
  })
})

describe('demuxDockerLogs', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text)
    const header = Buffer.alloc(8)
    header[0] = stream
    header.writeUInt32BE(body.length, 4)
    return Buffer.concat([header, body])
  }
  it('joins stdout and stderr frames in order', () => {
    expect(demuxDockerLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n')
  })
  it('returns plain text untouched (TTY containers)', () => {
    expect(demuxDockerLogs(Buffer.from('plain log line\n'))).toBe('plain log line\n')
  })
})
