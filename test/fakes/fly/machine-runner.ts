import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export interface RunSpec {
  name: string
  image: string
  env: Record<string, string>
  /** docker volume name → path in the container */
  mounts: Array<{ volume: string; path: string }>
  /** Replaces the image's CMD (Fly's `init.cmd`). */
  cmd?: string[]
  labels: Record<string, string>
}

export interface ContainerState {
  running: boolean
  exitCode: number
  oomKilled: boolean
}

/**
 * The fake's hands on the shared engine, through the docker CLI: pull from the local registry,
 * run with host networking, read state and logs, remove. Only names the fake made are touched.
 */
export class MachineRunner {
  constructor(private readonly dockerHost: string) {}

  private docker(args: string[], timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
    return exec('docker', args, { env: { ...process.env, DOCKER_HOST: this.dockerHost }, timeout, maxBuffer: 8 * 1024 * 1024 })
  }

  async pull(image: string): Promise<void> {
    await this.docker(['pull', '--quiet', image], 300_000)
  }

  async run(spec: RunSpec): Promise<string> {
    const args = ['run', '--detach', '--name', spec.name, '--network', 'host']
    for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`)
    // --env NAME reads the value from our environment, so values never appear in argv (ps).
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(spec.env)) {
      args.push('--env', k)
      env[k] = v
    }
    for (const m of spec.mounts) args.push('--volume', `${m.volume}:${m.path}`)
    args.push(spec.image, ...(spec.cmd ?? []))
    const { stdout } = await exec('docker', args, { env: { ...process.env, ...env, DOCKER_HOST: this.dockerHost }, timeout: 120_000 })
    return stdout.trim()
  }

  async state(name: string): Promise<ContainerState | undefined> {
    try {
      const { stdout } = await this.docker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}', name], 20_000)
      const [running, code, oom] = stdout.trim().split(' ')
      return { running: running === 'true', exitCode: Number(code), oomKilled: oom === 'true' }
    } catch {
      return undefined
    }
  }

  async logs(name: string, tail: number): Promise<string> {
    try {
      const { stdout, stderr } = await this.docker(['logs', '--tail', String(tail), name], 20_000)
      return `${stdout}${stderr}`
    } catch {
      return ''
    }
  }

  async start(name: string): Promise<void> {
    await this.docker(['start', name])
  }

  async stop(name: string): Promise<void> {
    await this.docker(['stop', '--time', '2', name]).catch(() => undefined)
  }

  async remove(name: string): Promise<void> {
    await this.docker(['rm', '--force', '--volumes', name]).catch(() => undefined)
  }

  async removeImage(ref: string): Promise<void> {
    await this.docker(['rmi', '--force', ref]).catch(() => undefined)
  }

  /** Images of one repository (`datapub/<name>`), for removing what a test's publishes built. */
  async imagesOf(repository: string): Promise<string[]> {
    const { stdout } = await this.docker(['images', '--quiet', '--no-trunc', repository]).catch(() => ({ stdout: '' }))
    return [...new Set(stdout.split('\n').filter(Boolean))]
  }

  async createVolume(name: string): Promise<void> {
    await this.docker(['volume', 'create', name])
  }

  async removeVolume(name: string): Promise<void> {
    await this.docker(['volume', 'rm', '--force', name]).catch(() => undefined)
  }

  /** Everything carrying our label, for cleanup after a crashed test. */
  async sweep(label: string): Promise<void> {
    const { stdout } = await this.docker(['ps', '--all', '--quiet', '--filter', `label=${label}`]).catch(() => ({ stdout: '' }))
    for (const id of stdout.split('\n').filter(Boolean)) await this.remove(id)
  }
}
