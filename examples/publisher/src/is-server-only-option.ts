/**
 * Provider options the browser may never set. Credentials come from the server's env; API and
 * registry URLs are excluded because pointing them at another host would hand that host the
 * server's credentials (an app URL template would point the verify step at any host); key files are paths on the server; Secret Manager references and
 * config vars could copy the operator's secrets into a user's deployment.
 */
const SERVER_ONLY = new Set(['token', 'apiKey', 'keyFile', 'apiUrl', 'logsApiUrl', 'artifactApiUrl', 'registryUrl', 'appUrl', 'secrets', 'configVar', 'env'])
const SECRET_LIKE = /token|key|secret|password|credential/i

export function isServerOnlyOption(key: string): boolean {
  return SERVER_ONLY.has(key) || SECRET_LIKE.test(key)
}
