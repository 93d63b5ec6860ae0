import Docker from 'dockerode'
import type { Readable } from 'node:stream'
import { DatapubError } from '../errors/datapub-error.js'
import { redactText } from '../http/redact.js'
import type { BuildOptions, BuildResult, ContainerEngine, ContainerInfo, ImageInfo, RunOptions } from '../contract/container-engine.js'
import { demuxDockerLogs } from './demux-docker-logs.js'
import type { ImageConfig } from '../registry/image-manifest.js'

const LOG_KEEP = 200

/** dockerode behind the ContainerEngine interface. The only file that imports dockerode. */
export function createDockerodeEngine(host: string, env: Readonly<Record<string, string | undefined>>): ContainerEngine {
  const docker = new Docker(dockerOptions(host, env))
  const endpoint = redactText(host)

  const toContainerInfo = (c: Docker.ContainerInspectInfo): ContainerInfo => {
    const labels = c.Config.Labels ?? {}
    const bound = Object.values(c.NetworkSettings?.Ports ?? {}).flat().find((b) => b?.HostPort)
    const hostPort = bound?.HostPort ? Number(bound.HostPort) : labels['datapub.port'] ? Number(labels['datapub.port']) : undefined
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      image: c.Config.Image,
      imageId: c.Image,
      state: c.State.Status,
      running: c.State.Running,
      labels,
      createdAt: c.Created,
      restartCount: c.RestartCount ?? 0,
      env: Object.fromEntries((c.Config.Env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
      ...(hostPort === undefined ? {} : { hostPort }),
      ...(c.State.Running ? {} : { exitCode: c.State.ExitCode }),
    }
  }

  const engine: ContainerEngine = {
    endpoint,
    async ping() {
      await docker.ping()
    },
    async version() {
      const v = await docker.version()
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch }
    },
    async build(context: Readable, options: BuildOptions): Promise<BuildResult> {
      const log: string[] = []
      const keep = (line: string) => {
        log.push(line)
        if (log.length > LOG_KEEP) log.shift()
        options.onLog?.(line)
      }
      const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: options.tag,
        ...(options.buildArgs ? { buildargs: options.buildArgs } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
        ...(options.networkMode ? { networkmode: options.networkMode } : {}),
        ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
        ...(options.target ? { target: options.target } : {}),
        ...(options.noCache ? { nocache: true } : {}),
        rm: true,
        forcerm: true,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      } as Docker.ImageBuildOptions)
      let imageId: string | undefined
      let failure: string | undefined
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : resolve()),
          (event: { stream?: string; status?: string; id?: string; progressDetail?: { current?: number; total?: number }; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
            if (event.aux?.ID) imageId = event.aux.ID
            // Pull progress of a base layer: bytes for the progress bar, not lines for the log.
            if (event.id !== undefined && event.status !== undefined && event.stream === undefined) {
              const detail = event.progressDetail
              options.onLayer?.({ id: event.id, status: event.status, ...(detail?.current === undefined ? {} : { current: detail.current }), ...(detail?.total === undefined ? {} : { total: detail.total }) })
              if (detail?.total !== undefined) return
            }
            if (event.error) failure = event.errorDetail?.message ?? event.error
            const text = event.stream ?? event.status ?? event.error
            if (text) for (const line of text.split('\n')) if (line.trim() !== '') keep(line.replace(/\r/g, ''))
          },
        )
      }).catch((error: Error) => {
        // An engine that died mid-build is not a broken recipe: say so, with the host at fault.
        if (isEngineGone(error)) throw engineGone(endpoint, 'build', error)
        failure ??= error.message
      })
      if (options.signal?.aborted) throw new DatapubError('ABORTED', 'The image build was cancelled.')
      // A progress stream cut by a dying engine can end without an error of its own: ask the engine before blaming the recipe.
      if ((failure !== undefined || imageId === undefined) && !(await docker.ping().then(() => true, () => false))) {
        throw engineGone(endpoint, 'build', new Error(failure ?? 'the build stream ended without an image id'))
      }
      if (failure !== undefined || imageId === undefined) {
        const step = [...log].reverse().find((line) => /^Step \d+\/\d+ :/.test(line) || /^#\d+ \[/.test(line))
        throw new DatapubError('IMAGE_BUILD_FAILED', `The image build failed${step ? ` at "${step}"` : ''}: ${failure ?? 'the engine returned no image id'}`, {
          hint: 'Read the build log below; a missing base image means it must be pulled or built first (see the README).',
          details: { step, logTail: log.slice(-30) },
        })
      }
      return { imageId, tag: options.tag, log }
    },
    async imageExists(ref) {
      try {
        await docker.getImage(ref).inspect()
        return true
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false
        throw error
      }
    },
    async imageConfig(ref): Promise<ImageConfig> {
      const i = await docker.getImage(ref).inspect()
      const c = i.Config as unknown as Record<string, unknown>
      // The fields of an image config's `config`; the rest of inspect's Config is container state.
      const keep = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped', 'Healthcheck', 'OnBuild', 'Shell']
      const config = Object.fromEntries(keep.filter((k) => c[k] !== undefined && c[k] !== null && c[k] !== '').map((k) => [k, c[k]]))
      return { architecture: i.Architecture, os: i.Os, config, rootfs: { type: 'layers', diff_ids: i.RootFS.Layers ?? [] } }
    },
    async inspectImage(ref): Promise<ImageInfo> {
      try {
        const i = await docker.getImage(ref).inspect()
        return {
          id: i.Id,
          repoTags: i.RepoTags ?? [],
          size: i.Size,
          created: i.Created,
          config: {
            ...(i.Config.Cmd ? { cmd: i.Config.Cmd } : {}),
            ...(i.Config.Entrypoint ? { entrypoint: ([] as string[]).concat(i.Config.Entrypoint) } : {}),
            ...(i.Config.Env ? { env: i.Config.Env } : {}),
            ...(i.Config.ExposedPorts ? { exposedPorts: Object.keys(i.Config.ExposedPorts) } : {}),
            ...(i.Config.Labels ? { labels: i.Config.Labels } : {}),
          },
          layers: i.RootFS?.Layers ?? [],
        }
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) {
          throw new DatapubError('IMAGE_NOT_FOUND', `The engine has no image ${ref}.`, { hint: 'Build or pull it first.' })
        }
        throw error
      }
    },
    async tagImage(ref, repo, tag) {
      await docker.getImage(ref).tag({ repo, tag })
    },
    async removeImage(ref) {
      await docker.getImage(ref).remove({ noprune: false }).catch(ignoreStatus(404, 409))
    },
    async listImageTags(repository) {
      const images = await docker.listImages({ filters: JSON.stringify({ reference: [repository] }) })
      return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith(`${repository}:`))
    },
    async saveImage(ref) {
      return (await docker.getImage(ref).get()) as unknown as Readable
    },
    async loadImage(archive) {
      const stream = (await docker.loadImage(archive as unknown as NodeJS.ReadableStream)) as unknown as Readable
      const chunks: Buffer[] = []
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
      const refs: string[] = []
      for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
        if (line.trim() === '') continue
        const event = JSON.parse(line) as { stream?: string; error?: string }
        if (event.error) throw new DatapubError('IMAGE_BUILD_FAILED', `The engine refused the image archive: ${event.error}`)
        const match = /Loaded image(?: ID)?: (\S+)/.exec(event.stream ?? '')
        if (match?.[1]) refs.push(match[1])
      }
      return refs
    },
    async hasNetwork(name) {
      const networks = await docker.listNetworks({ filters: { name: [name] } })
      return networks.some((n) => n.Name === name)
    },
    async runContainer(options: RunOptions) {
      const port = `${options.containerPort}/tcp`
      const container = await docker.createContainer({
        Image: options.image,
        name: options.name,
        Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Labels: options.labels ?? {},
        ExposedPorts: { [port]: {} },
        HostConfig: {
          NetworkMode: options.networkMode,
          RestartPolicy: { Name: options.restart ?? 'unless-stopped' },
          ...(options.networkMode === 'bridge' ? { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: options.hostPort ? String(options.hostPort) : '' }] } } : {}),
        },
      })
      await container.start()
      return toContainerInfo(await container.inspect())
    },
    async listContainers(labels, all = true) {
      const found = await docker.listContainers({ all, filters: { label: Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`)) } })
      const infos = await Promise.all(found.map((c) => docker.getContainer(c.Id).inspect().then(toContainerInfo, () => undefined)))
      return infos.filter((c): c is ContainerInfo => c !== undefined)
    },
    async inspectContainer(id) {
      try {
        return toContainerInfo(await docker.getContainer(id).inspect())
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) throw new DatapubError('DEPLOYMENT_NOT_FOUND', `No container ${id} on ${endpoint}.`, { hint: 'List deployments with `datapub list local`.' })
        throw error
      }
    },
    async stopContainer(id, timeoutSeconds = 10) {
      await docker.getContainer(id).stop({ t: timeoutSeconds }).catch(ignoreStatus(304, 404))
    },
    async removeContainer(id) {
      await docker.getContainer(id).remove({ force: true, v: true }).catch(ignoreStatus(404, 409))
    },
    async renameContainer(id, name) {
      await docker.getContainer(id).rename({ name })
    },
    async containerLogs(id, tail) {
      const raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer
      return redactText(demuxDockerLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))))
    },
  }
  return engineGoneAsCoded(engine, endpoint)
}

function ignoreStatus(...codes: number[]) {
  return (error: { statusCode?: number }) => {
    if (error.statusCode !== undefined && codes.includes(error.statusCode)) return undefined
    throw error
  }
}

/** DOCKER_HOST → dockerode options: unix socket, tcp (TLS when DOCKER_TLS_VERIFY) or ssh. */
export function dockerOptions(host: string, env: Readonly<Record<string, string | undefined>>): Docker.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) }
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) }
  const url = new URL(host)
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      sshOptions: env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {},
    } as Docker.DockerOptions
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:' || (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0')
    return { host: url.hostname, port: url.port ? Number(url.port) : tls ? 2376 : 2375, protocol: tls ? 'https' : 'http' }
  }
  throw new DatapubError('CONFIG_INVALID', `DOCKER_HOST ${redactText(host)} uses an unsupported scheme.`, {
    path: 'DOCKER_HOST',
    hint: 'Use unix:///path/to/docker.sock, tcp://host:2375 or ssh://user@host.',
  })
}

const GONE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOENT', 'ECONNABORTED', 'ETIMEDOUT'])

/** The engine's socket went away (dockerd stopped, crashed or restarted) rather than answering. */
function isEngineGone(error: unknown): boolean {
  if (error instanceof DatapubError) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && GONE_CODES.has(code)) return true
  return error instanceof Error && /socket hang up|connect (ENOENT|ECONNREFUSED)|read ECONNRESET/i.test(error.message)
}

function engineGone(endpoint: string, operation: string, cause: unknown): DatapubError {
  return new DatapubError('ENGINE_UNREACHABLE', `The Docker engine at ${endpoint} stopped answering during ${operation}: ${(cause as Error).message}`, {
    fault: 'host',
    cause,
    hint: 'Check that dockerd is running (it may have been restarted or killed), then run the same command again; nothing half-made is reused.',
    details: { dockerHost: endpoint, operation },
  })
}

/** Every engine call: a vanished engine becomes ENGINE_UNREACHABLE instead of a bare socket error. */
function engineGoneAsCoded(engine: ContainerEngine, endpoint: string): ContainerEngine {
  const wrapped: Record<string, unknown> = { endpoint: engine.endpoint }
  for (const [name, value] of Object.entries(engine)) {
    if (typeof value !== 'function') continue
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>).apply(engine, args)
      } catch (error) {
        throw isEngineGone(error) ? engineGone(endpoint, name, error) : error
      }
    }
  }
  return wrapped as unknown as ContainerEngine
}
