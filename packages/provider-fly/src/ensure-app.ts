import { DatapubError, mapHttpError, type Emit } from '@datapub/core/kit'
import { app, bodyError, bodyStatus, type FlyApi } from './fly-api.js'
import type { FlyApp } from './fly-types.js'

const TAKEN_HINT = 'App names are one namespace across all of Fly.io, so another organisation may hold it: pick another --name.'

/**
 * Finds the app or creates it in the organisation, with the body flyctl sends (`fly apps create`
 * → fly-go flaps_apps.go CreateApp: `{name, org_slug}` to `/v1/apps?wait=true`). A 403 on the read means the name exists in
 * an organisation this token cannot see (fly-go flaps_apps.go AppNameAvailable): taken, said
 * before anything is built or pushed.
 */
export async function ensureApp(api: FlyApi, name: string, org: string, emit: Emit, signal: AbortSignal): Promise<FlyApp> {
  const found = await findApp(api, name, signal)
  if (found !== undefined) return found
  emit({ type: 'deploy:status', state: 'creating', message: `creating the Fly app ${name} in organisation ${org}` })
  await api.request({ method: 'POST', path: '/v1/apps', query: { wait: true }, json: { name, org_slug: org }, signal }).catch((error: unknown) => {
    throw mapHttpError(error, {
      422: { code: 'FLY_APP_NAME_TAKEN', message: (e) => `The Fly app name "${name}" is not available${bodyError(e)}.`, fault: 'user', hint: TAKEN_HINT, when: (e) => bodyStatus(e) === 'name_taken' || /taken/i.test(bodyError(e)) },
      404: { code: 'FLY_ORG_NOT_FOUND', message: (e) => `Fly has no organisation "${org}" for this token${bodyError(e)}.`, fault: 'user', hint: '`fly orgs list` shows the slugs; pass one with --org.' },
      default: { code: 'FLY_APP_CREATE_FAILED', message: (e) => `Fly refused to create the app ${name} (${e.status ?? 'no answer'})${bodyError(e)}.`, fault: 'user', hint: 'Check --name and --org.', when: (e) => e.status !== undefined && e.status < 500 },
    })
  })
  return (await findApp(api, name, signal)) ?? { id: '', name, organization: { slug: org } }
}

export async function findApp(api: FlyApi, name: string, signal: AbortSignal): Promise<FlyApp | undefined> {
  const response = await api.request<FlyApp>({ method: 'GET', path: app(name), accept: [404, 403], signal })
  if (response.status === 404) return undefined
  if (response.status === 403) {
    throw new DatapubError('FLY_APP_NAME_TAKEN', `The Fly app "${name}" exists in an organisation this token cannot access.`, { fault: 'user', provider: 'fly', hint: TAKEN_HINT, details: { status: 403 } })
  }
  return response.body
}

export async function getApp(api: FlyApi, name: string, signal: AbortSignal): Promise<FlyApp> {
  const found = await findApp(api, name, signal).catch((error: unknown) => {
    if (error instanceof DatapubError && error.code === 'FLY_APP_NAME_TAKEN') throw notFound(name, error)
    throw error
  })
  if (found === undefined) throw notFound(name)
  return found
}

export function notFound(name: string, cause?: unknown): DatapubError {
  return new DatapubError('DEPLOYMENT_NOT_FOUND', `No Fly app named "${name}" for this token.`, { fault: 'user', provider: 'fly', hint: 'List deployments with `datapub list fly`.', ...(cause === undefined ? {} : { cause }) })
}
