import { DatapubError, defineProvider, type ContainerEngine, type ContainerInfo, type DeploymentSummary } from '@datapub/core/kit'
import { deployContainer } from './deploy-container.js'
import { LABEL } from './labels.js'
import { localOptionsSchema, type LocalOptions } from './options.js'

/** The embedded default: builds on the local Docker engine and runs the image there. */
export const local = defineProvider({
  name: 'local',
  apiVersion: 1,
  title: 'Local Docker engine',
  description: 'Runs the deployment as a container on the Docker engine named by DOCKER_HOST.',
  options: localOptionsSchema,
  accepts: 'image',
  // The container runs from the engine that built the image: nothing to push, exports name engine images.
  capabilities: { runsEngineImages: true },
  limits: {
    namePattern: { value: '^[a-z0-9][a-z0-9_.-]{0,62}$', source: 'Docker container names ([a-zA-Z0-9][a-zA-Z0-9_.-]), lower-cased so image tags accept them' },
  },
  create(context) {
    const options = context.options as LocalOptions
    const engine = () => context.engine()
    return {
      async checkAuth() {
        const e = await engine()
        const v = await e.version()
        return { account: `Docker ${v.version} at ${e.endpoint}` }
      },
      deploy: async (input) => deployContainer(await engine(), input, options, context.emit),
      async status(id) {
        return summarize(await current(await engine(), id))
      },
      async list() {
        const all = await (await engine()).listContainers({ [LABEL.deployment]: '' })
        const newest = new Map<string, ContainerInfo>()
        for (const c of all) {
          const name = c.labels[LABEL.deployment] ?? c.name
          const seen = newest.get(name)
          if (seen === undefined || seen.createdAt < c.createdAt) newest.set(name, c)
        }
        return [...newest.values()].map(summarize).sort((a, b) => a.name.localeCompare(b.name))
      },
      async destroy(id) {
        const e = await engine()
        const containers = await e.listContainers({ [LABEL.deployment]: id })
        if (containers.length === 0) throw notFound(id)
        for (const c of containers) await e.removeContainer(c.id)
        // Every publish of the name left a tagged image (the rollback targets among them): with the
        // deployment gone they are only disk, so they go too. The engine keeps layers that other
        // images (the runtime cache) still share.
        for (const tag of (await e.listImageTags?.(`datapub/${id}`)) ?? []) await e.removeImage(tag)
      },
      async rollback(id, signal) {
        const e = await engine()
        const now = await current(e, id)
        const previousImage = now.labels[LABEL.previousImage]
        if (previousImage === undefined || !(await e.imageExists(previousImage))) {
          throw new DatapubError('LOCAL_NO_PREVIOUS_VERSION', `Deployment "${id}" has no previous image to roll back to.`, {
            fault: 'user',
            provider: 'local',
            hint: 'Rollback needs an earlier publish of the same name whose image is still on the engine.',
          })
        }
        const envNames = (now.labels[LABEL.envNames] ?? '').split(',').filter(Boolean)
        const env = Object.fromEntries(envNames.map((name) => [name, now.env[name] ?? '']))
        return deployContainer(e, { name: id, artifact: { kind: 'image', ref: previousImage, imageId: previousImage }, env, port: Number(now.env.PORT ?? 8001), signal }, options, context.emit)
      },
      async export(id) {
        const c = await current(await engine(), id)
        return {
          schema: 'datapub.deployment/v1',
          provider: 'local',
          id,
          name: id,
          ...(urlOf(c) ? { url: urlOf(c) } : {}),
          image: { ref: c.image, digest: c.imageId },
          options: safeOptions(c),
          envNames: (c.labels[LABEL.envNames] ?? '').split(',').filter(Boolean),
        }
      },
    }
  },
})

async function current(engine: ContainerEngine, id: string): Promise<ContainerInfo> {
  const containers = await engine.listContainers({ [LABEL.deployment]: id })
  const newest = containers.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]
  if (newest === undefined) throw notFound(id)
  return newest
}

function notFound(id: string): DatapubError {
  return new DatapubError('DEPLOYMENT_NOT_FOUND', `No local deployment named "${id}".`, { provider: 'local', hint: 'List deployments with `datapub list local`.' })
}

function urlOf(c: ContainerInfo): string | undefined {
  return c.hostPort === undefined ? undefined : `http://${safeOptions(c).publicHost ?? '127.0.0.1'}:${c.hostPort}/`
}

function safeOptions(c: ContainerInfo): Record<string, unknown> {
  try {
    return JSON.parse(c.labels[LABEL.options] ?? '{}') as Record<string, unknown>
  } catch {
    return {}
  }
}

function summarize(c: ContainerInfo): DeploymentSummary {
  const url = urlOf(c)
  return {
    id: c.labels[LABEL.deployment] ?? c.name,
    name: c.labels[LABEL.deployment] ?? c.name,
    state: c.running ? 'running' : c.state,
    createdAt: c.createdAt,
    container: c.name,
    image: c.imageId,
    ...(url ? { url } : {}),
  }
}
