import { createRequire } from 'node:module'
import type Heroku from 'heroku-client'
import type { HerokuClientOptions, HerokuRequestOptions } from 'heroku-client'
import type HerokuRequest from 'heroku-client/lib/request.js'

const require = createRequire(import.meta.url)

/**
 * Sends one request through heroku-client without its resend on network errors. heroku-client
 * (3.x, lib/request.js) resends any request up to 4 times after a connection error, POST
 * included; for a write whose answer was lost that repeats the write blindly (a second build,
 * or "name already taken" for the app we just created). Starting the request at its resend limit
 * turns the connection error into a failure the caller handles. Merges options as
 * Heroku#request does.
 */
export function sendOnce<T>(client: Heroku, options: HerokuRequestOptions & { method: string; path: string }): Promise<T> {
  const Request = require('heroku-client/lib/request.js') as typeof HerokuRequest
  const defaults = (client as unknown as { options: HerokuClientOptions }).options
  const request = new Request({ ...defaults, ...options, headers: { ...defaults.headers, ...options.headers } })
  request.retries = 4
  return request.request<T>()
}
