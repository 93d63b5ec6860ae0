import { DatapubError, type Emit } from '@datapub/core/kit'
import type { HerokuApi } from './heroku-api.js'
import type { HerokuApp } from './heroku-types.js'
import type { HerokuOptions } from './options.js'
import { herokuErrorBody, herokuStatus } from './to-heroku-error.js'

/**
 * Finds the app or creates it on the container stack. A name held by another account is a coded
 * error with a way out (datasette #640, #1686), never a traceback; an existing app on a buildpack
 * stack is switched to the container stack, as `heroku stack:set container` does.
 */
export async function ensureApp(api: HerokuApi, name: string, options: Pick<HerokuOptions, 'region' | 'team'>, emit: Emit, signal: AbortSignal): Promise<HerokuApp> {
  const found = await api.get<HerokuApp>(`/apps/${encodeURIComponent(name)}`, { signal }).catch((error: unknown) => {
    const status = herokuStatus(error)
    if (status === 404) return undefined
    if (status === 403) throw nameTaken(name, error)
    throw error
  })
  if (found !== undefined) {
    if (found.stack?.name !== 'container' && found.build_stack?.name !== 'container') {
      emit({ type: 'deploy:status', state: 'stack', message: `switching ${name} from ${found.stack?.name ?? 'its stack'} to the container stack` })
      const switched = await api.patch<HerokuApp>(`/apps/${encodeURIComponent(name)}`, { body: { build_stack: 'container' }, signal }).catch((error: unknown) => {
        if (herokuStatus(error) === 422 || herokuStatus(error) === 403) throw notContainer(name, found.stack?.name, error)
        throw error
      })
      // Heroku's CLI releases an image only when the stack or the build stack is container.
      if (switched.stack?.name !== 'container' && switched.build_stack?.name !== 'container') throw notContainer(name, switched.stack?.name)
      return switched
    }
    return found
  }
  emit({ type: 'deploy:status', state: 'creating', message: `creating the Heroku app ${name}${options.team ? ` in team ${options.team}` : ''}` })
  const body = { name, stack: 'container', ...(options.region === undefined ? {} : { region: options.region }), ...(options.team === undefined ? {} : { team: options.team }) }
  return api.post<HerokuApp>(options.team === undefined ? '/apps' : '/teams/apps', { body, signal }).catch(async (error: unknown) => {
    const status = herokuStatus(error)
    const message = herokuErrorBody(error).message ?? ''
    if (status === 403) throw nameTaken(name, error)
    if (status === 422 && /already taken|is taken|not available/i.test(message)) {
      // heroku-client resends a request after a network error, POST included: when the first
      // create succeeded but its answer was lost, the resend finds the name taken by ourselves.
      // An app we can read is ours to deploy to; only an app we cannot read belongs to someone else.
      const ours = await api.get<HerokuApp>(`/apps/${encodeURIComponent(name)}`, { signal }).catch(() => undefined)
      if (ours !== undefined) return ours
      throw nameTaken(name, error)
    }
    throw error
  })
}

function notContainer(name: string, stack: string | undefined, cause?: unknown): DatapubError {
  return new DatapubError('HEROKU_STACK_NOT_CONTAINER', `The Heroku app ${name} is on the ${stack ?? 'buildpack'} stack and could not be switched to the container stack, which an image release needs.`, {
    fault: 'user',
    provider: 'heroku',
    hint: `Run \`heroku stack:set container -a ${name}\` and publish again, or publish to a new --name.`,
    ...(cause === undefined ? {} : { cause }),
  })
}

function nameTaken(name: string, cause: unknown): DatapubError {
  return new DatapubError('HEROKU_APP_NAME_TAKEN', `The Heroku app name "${name}" belongs to another account or team you cannot deploy to.`, {
    fault: 'user',
    provider: 'heroku',
    path: 'name',
    hint: `Choose another --name (app names are global on Heroku), or ask the owner of "${name}" to add you as a collaborator.`,
    cause,
    details: { status: herokuStatus(cause), id: herokuErrorBody(cause).id },
  })
}
