import type { v2 } from '@google-cloud/run'
import type { GoogleSession } from './google-session.js'

export interface RunClients {
  services: v2.ServicesClient
  revisions: v2.RevisionsClient
}

/**
 * REST ("fallback") clients: HTTP/1.1 that proxies and nock can see, no gRPC. `--api-url`
 * becomes the endpoint, port and protocol the clients talk to.
 */
export async function createRunClients(session: GoogleSession, apiUrl: string | undefined): Promise<RunClients> {
  const { v2: run } = await import('@google-cloud/run')
  const endpoint = apiUrl === undefined ? {} : endpointOf(new URL(apiUrl))
  const options = { fallback: true, auth: session.auth, projectId: session.projectId, ...endpoint } as ConstructorParameters<typeof run.ServicesClient>[0]
  return { services: new run.ServicesClient(options), revisions: new run.RevisionsClient(options) }
}

function endpointOf(url: URL): Record<string, unknown> {
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return { apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol }
}
