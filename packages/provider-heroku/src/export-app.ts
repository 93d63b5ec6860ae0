import type { DeploymentDescriptor } from '@datapub/core/kit'
import { ACCEPT_DOCKER_RELEASES, type HerokuApi } from './heroku-api.js'
import type { HerokuApp, HerokuFormation } from './heroku-types.js'

/** A portable descriptor: where it runs, the image, sizes, and config var NAMES only. */
export async function exportApp(api: HerokuApi, app: HerokuApp, registry: string, signal: AbortSignal): Promise<DeploymentDescriptor> {
  const path = `/apps/${encodeURIComponent(app.name)}`
  const [vars, formation] = await Promise.all([
    api.get<Record<string, string>>(`${path}/config-vars`, { signal }),
    api.get<HerokuFormation[]>(`${path}/formation`, { headers: { Accept: ACCEPT_DOCKER_RELEASES }, signal }),
  ])
  const web = formation.find((f) => f.type === 'web')
  const imageId = typeof web?.docker_image === 'string' ? web.docker_image : (web?.docker_image?.id ?? undefined)
  return {
    schema: 'datapub.deployment/v1',
    provider: 'heroku',
    id: app.name,
    name: app.name,
    url: app.web_url,
    image: { ref: `${registry}/${app.name}/web`, registry, ...(imageId === undefined ? {} : { digest: imageId }) },
    options: {
      ...(app.region?.name === undefined ? {} : { region: app.region.name }),
      ...(app.team?.name === undefined ? {} : { team: app.team.name }),
      ...(web?.size === undefined ? {} : { dynoSize: web.size }),
      ...(web?.quantity === undefined ? {} : { dynoQuantity: web.quantity }),
    },
    envNames: Object.keys(vars).sort(),
  }
}
