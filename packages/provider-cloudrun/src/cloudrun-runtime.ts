import type { Emit, HttpClientFactory, Logger } from '@datapub/core/kit'
import { createRunClients, type RunClients } from './create-run-clients.js'
import { openGoogleSession, type GoogleSession } from './google-session.js'
import type { CloudrunOptions } from './options.js'

export interface CloudrunRuntime {
  options: CloudrunOptions
  session: GoogleSession
  clients: RunClients
  project: string
  region: string
  /** projects/P/locations/L */
  parent: string
  http: HttpClientFactory
  emit: Emit
  logger: Logger
  serviceName(id: string): string
}

export interface RuntimeContext {
  options: CloudrunOptions
  env: Readonly<Record<string, string | undefined>>
  http: HttpClientFactory
  emit: Emit
  logger: Logger
}

export async function openRuntime(context: RuntimeContext): Promise<CloudrunRuntime> {
  const { options, env } = context
  const session = await openGoogleSession(options, env)
  const clients = await createRunClients(session, options.apiUrl)
  // datasette leaves the region to gcloud's run/region; these are the same settings without gcloud.
  const region = options.region ?? env.CLOUDSDK_RUN_REGION ?? env.GOOGLE_CLOUD_REGION ?? 'us-central1'
  const parent = `projects/${session.projectId}/locations/${region}`
  return {
    options,
    session,
    clients,
    project: session.projectId,
    region,
    parent,
    http: context.http,
    emit: context.emit,
    logger: context.logger,
    serviceName: (id) => `${parent}/services/${id}`,
  }
}
