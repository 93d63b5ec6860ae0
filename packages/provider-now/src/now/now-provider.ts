import { DatapubError, defineProvider, type DeploymentDescriptor, type DeploymentSummary, type KitHttpClient } from '@datapub/core/kit'
import { assignAlias } from '../shared/assign-alias.js'
import { checkToken } from '../shared/check-token.js'
import { createApiClient } from '../shared/create-api-client.js'
import { missingToken } from '../shared/resolve-token.js'
import { deployNow } from './deploy-now.js'
import { envNamesFromMeta } from '../shared/env-names-meta.js'
import { mapApiError } from '../shared/map-api-error.js'
import { listDeployments, type ListedDeployment } from '../shared/list-deployments.js'
import { nowOptionsSchema, type NowOptions } from './now-options.js'
import { NOW_IMAGE_LIMIT_BYTES } from './wait-for-now.js'

/** What Now v1 adds to the fields both providers read: the v1 scale settings. */
interface NowDeployment extends ListedDeployment {
  scale?: unknown
}

/**
 * Zeit Now v1, a retired host: it has refused Now 1.0 (Docker) deployments since 2019 and removed
 * the last of them in August 2020. A publish maps that refusal to NOW_V1_RETIRED; what remains is
 * moving deployments off it: list, status, export and destroy, over the current API (the same
 * endpoints as Vercel's SDK), and rollback by re-aliasing.
 */
export const now = defineProvider({
  name: 'now',
  apiVersion: 1,
  title: 'Zeit Now v1 (retired host)',
  retired: 'new deployments refused since 2019; list, status, export and destroy remain',
  description: 'Retired: Now has refused Now 1.0 deployments since 2019. Lists, reports, exports and destroys what is left, to move it with `datapub migrate --from now:<id> --to vercel` (or another host).',
  options: nowOptionsSchema,
  accepts: 'context',
  missingCredentials: (options, env) => missingToken(options.token, env, ['NOW_TOKEN', 'VERCEL_TOKEN']),
  limits: {
    imageBytes: {
      value: NOW_IMAGE_LIMIT_BYTES,
      source: 'Now serverless Docker (cloud v2, from Aug 2018; every plan, free included): "The built image size (…) exceeds the 100MiB limit" — vercel/vercel#1523, datasette #366; host-apis.md §1',
    },
    fileBytes: { value: 5 * 1024 * 1024, source: 'Now OSS (free) plan per-file limit, pricing page July 2018 (1 MB in Dec 2017, vercel/vercel#1038); host-apis.md §1' },
  },
  create(context) {
    const options = context.options as NowOptions
    const http = createApiClient(context, 'now', ['NOW_TOKEN', 'VERCEL_TOKEN'])
    const get = async (id: string, signal: AbortSignal): Promise<NowDeployment> => {
      try {
        return (await http().request<NowDeployment>({ method: 'GET', path: `/v13/deployments/${encodeURIComponent(id)}`, signal })).body
      } catch (error) {
        throw mapApiError(error, 'now', `Deployment ${id}`)
      }
    }
    return {
      checkAuth: async (signal) => checkToken(http(), 'now', signal),
      deploy: (input) => deployNow(http(), input, options, context.emit),
      async status(id, signal) {
        return summarize(await get(id, signal), id)
      },
      async list(signal) {
        return (await listDeployments(http(), 'now', {}, signal)).map((d) => summarize(d))
      },
      async destroy(id, signal) {
        try {
          await http().request({ method: 'DELETE', path: `/v13/deployments/${encodeURIComponent(id)}`, signal })
        } catch (error) {
          throw mapApiError(error, 'now', `Deleting deployment ${id}`)
        }
      },
      async assignAliases(id, aliases, signal) {
        for (const alias of aliases) await assignAlias(http(), 'now', `/v2/deployments/${encodeURIComponent(id)}/aliases`, alias, signal)
        return aliases
      },
      async rollback(id, signal) {
        // v1 has no rollback: move this deployment's aliases back to the previous ready one.
        const current = await get(id, signal)
        const aliases = await listAliases(http(), id, signal)
        if (aliases.length === 0) {
          throw new DatapubError('NOW_ROLLBACK_NO_ALIAS', `Deployment ${id} has no alias, so there is nothing to point back.`, {
            fault: 'user',
            provider: 'now',
            hint: 'Now v1 rolls back by re-aliasing; publish with --alias to make rollback possible.',
          })
        }
        const listed = (await listDeployments(http(), 'now', current.name === undefined ? {} : { app: current.name }, signal))
        const previous = listed
          .filter((d) => idOf(d) !== id && (d.state ?? d.readyState) === 'READY' && Number(d.createdAt ?? d.created ?? 0) < Number(current.createdAt ?? current.created ?? Infinity))
          .sort((a, b) => Number(b.createdAt ?? b.created ?? 0) - Number(a.createdAt ?? a.created ?? 0))[0]
        if (previous === undefined) {
          throw new DatapubError('NOW_NO_PREVIOUS_DEPLOYMENT', `No earlier ready deployment of ${current.name ?? id} to roll back to.`, { fault: 'user', provider: 'now' })
        }
        const previousId = idOf(previous)!
        for (const alias of aliases) await assignAlias(http(), 'now', `/v2/deployments/${encodeURIComponent(previousId)}/aliases`, alias, signal)
        return { provider: 'now', id: previousId, name: previous.name ?? current.name ?? previousId, url: `https://${aliases[0]}` }
      },
      async export(id, signal) {
        const d = await get(id, signal)
        const aliases = await listAliases(http(), id, signal)
        const url = aliases[0] ?? d.url
        const descriptor: DeploymentDescriptor = {
          schema: 'datapub.deployment/v1',
          provider: 'now',
          id,
          name: d.name ?? id,
          ...(url === undefined ? {} : { url: `https://${url}` }),
          aliases,
          options: { cloud: options.cloud, public: options.public, ...(options.scope === undefined ? {} : { scope: options.scope }) },
          envNames: envNamesFromMeta(d.meta, d.env),
        }
        return descriptor
      },
    }
  },
})

async function listAliases(http: KitHttpClient, id: string, signal: AbortSignal): Promise<string[]> {
  try {
    const { body } = await http.request<{ aliases?: Array<{ alias?: string } | string> }>({ method: 'GET', path: `/v2/deployments/${encodeURIComponent(id)}/aliases`, signal })
    return (body.aliases ?? []).map((a) => (typeof a === 'string' ? a : a.alias)).filter((a): a is string => typeof a === 'string')
  } catch (error) {
    throw mapApiError(error, 'now', `Aliases of ${id}`)
  }
}

function idOf(d: NowDeployment): string | undefined {
  return d.uid ?? d.id
}

function summarize(d: NowDeployment, fallbackId?: string): DeploymentSummary {
  const when = d.createdAt ?? d.created
  const created = when === undefined ? undefined : new Date(Number(when)).toISOString()
  return {
    id: idOf(d) ?? fallbackId ?? 'unknown',
    name: d.name ?? idOf(d) ?? fallbackId ?? 'unknown',
    state: d.state ?? d.readyState ?? 'UNKNOWN',
    ...(d.url === undefined ? {} : { url: `https://${d.url}` }),
    ...(created === undefined ? {} : { createdAt: created }),
  }
}
