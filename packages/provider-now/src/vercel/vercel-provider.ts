import { DatapubError, defineProvider, registerSecret, type DeploymentSummary, type KitHttpClient } from '@datapub/core/kit'
import { assignAlias } from '../shared/assign-alias.js'
import { checkToken } from '../shared/check-token.js'
import { createApiClient } from '../shared/create-api-client.js'
import { missingToken } from '../shared/resolve-token.js'
import { deployVercel } from './deploy-vercel.js'
import { envNamesFromMeta, META_NAME } from '../shared/env-names-meta.js'
import { mapApiError } from '../shared/map-api-error.js'
import { VERCEL_ERAS } from './vercel-eras.js'
import { vercelOptionsSchema, VERCEL_PROJECT_PATTERN, type VercelOptions } from './vercel-options.js'
import type { VercelDeployment } from './wait-for-vercel.js'
import { listDeployments as listAll } from '../shared/list-deployments.js'

/** Vercel (Now 2.0 and today): Datasette as a Python serverless function (host-apis.md §2). */
export const vercel = defineProvider({
  name: 'vercel',
  apiVersion: 1,
  title: 'Vercel (Now 2.0)',
  description: 'Generates a Python serverless app that runs Datasette over the databases and deploys it with the Vercel REST API.',
  options: vercelOptionsSchema,
  accepts: 'bundle',
  missingCredentials: (options, env) => missingToken(options.token, env, ['VERCEL_TOKEN', 'NOW_TOKEN']),
  limits: {
    bundleBytes: { value: VERCEL_ERAS.today.bundleBytes, source: VERCEL_ERAS.today.source },
    fileBytes: { value: VERCEL_ERAS.today.fileBytes, source: VERCEL_ERAS.today.source },
    requestTimeoutMs: { value: 300_000, source: 'Vercel Functions default maximum duration 300 s (vercel.com/docs/functions/limitations)' },
    namePattern: { value: VERCEL_PROJECT_PATTERN.source, source: 'datasette-publish-vercel --project rule; the name is the default project' },
  },
  create(context) {
    const options = context.options as VercelOptions
    registerSecret(options.protectionBypass ?? context.env.VERCEL_AUTOMATION_BYPASS_SECRET)
    const http = createApiClient(context, 'vercel', ['VERCEL_TOKEN', 'NOW_TOKEN'])
    const get = async (id: string, signal: AbortSignal): Promise<VercelDeployment> => {
      try {
        return (await http().request<VercelDeployment>({ method: 'GET', path: `/v13/deployments/${encodeURIComponent(id)}`, signal })).body
      } catch (error) {
        throw mapApiError(error, 'vercel', `Deployment ${id}`)
      }
    }
    return {
      checkAuth: async (signal) => checkToken(http(), 'vercel', signal),
      deploy: (input) => deployVercel(http(), input, { ...options, protectionBypass: options.protectionBypass ?? context.env.VERCEL_AUTOMATION_BYPASS_SECRET }, context.emit, context.http),
      async status(id, signal) {
        return summarize(await get(id, signal), id)
      },
      async list(signal) {
        const deployments = await listDeployments(http(), options.project === undefined ? {} : { projectId: options.project }, signal)
        return deployments.map((d) => summarize(d))
      },
      async destroy(id, signal) {
        try {
          await http().request({ method: 'DELETE', path: `/v13/deployments/${encodeURIComponent(id)}`, signal })
        } catch (error) {
          throw mapApiError(error, 'vercel', `Deleting deployment ${id}`)
        }
      },
      async assignAliases(id, aliases, signal) {
        for (const alias of aliases) await assignAlias(http(), 'vercel', `/v2/deployments/${encodeURIComponent(id)}/aliases`, alias, signal)
        return aliases
      },
      async rollback(id, signal) {
        // Rollback = put the production deployment before this one back in front.
        const current = await get(id, signal)
        if (current.projectId === undefined) throw new DatapubError('VERCEL_UNEXPECTED_RESPONSE', `Deployment ${id} names no project.`, { fault: 'host', provider: 'vercel' })
        const candidates = await listDeployments(http(), { projectId: current.projectId, target: 'production' }, signal)
        const createdAt = current.createdAt ?? current.created ?? Infinity
        const previous = candidates
          .filter((d) => (d.uid ?? d.id) !== id && (d.readyState ?? d.state) === 'READY' && (d.createdAt ?? d.created ?? 0) < createdAt)
          .sort((a, b) => (b.createdAt ?? b.created ?? 0) - (a.createdAt ?? a.created ?? 0))[0]
        if (previous === undefined) {
          throw new DatapubError('VERCEL_NO_PREVIOUS_DEPLOYMENT', `No earlier ready production deployment of this project to roll back to.`, {
            fault: 'user',
            provider: 'vercel',
            hint: 'Rollback needs an earlier production publish of the same project.',
          })
        }
        const previousId = (previous.uid ?? previous.id)!
        try {
          await http().request({ method: 'POST', path: `/v1/projects/${encodeURIComponent(current.projectId)}/rollback/${encodeURIComponent(previousId)}`, signal })
        } catch (error) {
          throw mapApiError(error, 'vercel', `Rolling back to ${previousId}`)
        }
        const host = current.alias?.[0] ?? previous.url
        const name = String(previous.meta?.[META_NAME] ?? previous.name ?? previousId)
        return { provider: 'vercel', id: previousId, name, url: `https://${host}` }
      },
      async export(id, signal) {
        const d = await get(id, signal)
        const url = d.alias?.[0] ?? d.url
        return {
          schema: 'datapub.deployment/v1',
          provider: 'vercel',
          id,
          name: String(d.meta?.[META_NAME] ?? d.name ?? id),
          ...(url === undefined ? {} : { url: `https://${url}` }),
          aliases: d.alias ?? [],
          options: { project: d.name, prod: d.target === 'production', era: options.era, ...(options.scope === undefined ? {} : { scope: options.scope }) },
          envNames: envNamesFromMeta(d.meta),
        }
      },
    }
  },
})

async function listDeployments(http: KitHttpClient, params: Record<string, string>, signal: AbortSignal): Promise<VercelDeployment[]> {
  return (await listAll(http, 'vercel', params, signal)) as VercelDeployment[]
}

function summarize(d: VercelDeployment, fallbackId?: string): DeploymentSummary {
  const id = d.uid ?? d.id ?? fallbackId ?? 'unknown'
  const created = d.createdAt ?? d.created
  return {
    id,
    name: String(d.meta?.[META_NAME] ?? d.name ?? id),
    state: d.readyState ?? d.state ?? 'UNKNOWN',
    ...(d.url === undefined ? {} : { url: `https://${d.url}` }),
    ...(created === undefined ? {} : { createdAt: new Date(created).toISOString() }),
    ...(d.target === undefined || d.target === null ? {} : { target: d.target }),
  }
}
