// heroku-client 3.x ships no types; this covers the part datapub uses (lib/index.js, lib/request.js).
declare module 'heroku-client' {
  import type { IncomingMessage } from 'node:http'

  export interface HerokuRequestOptions {
    method?: string
    path?: string
    body?: unknown
    headers?: Record<string, string>
    /** Do not follow Next-Range on 206 answers. */
    partial?: boolean
    timeout?: number
    parseJSON?: boolean
    /** Sees the raw response before the body is read; must call next(). */
    middleware?: (response: IncomingMessage, next: () => void) => void
  }

  export interface HerokuClientOptions extends HerokuRequestOptions {
    token?: string
    /** `https://api.heroku.com` by default; only scheme, host and port are used. */
    host?: string
    userAgent?: string
  }

  export default class Heroku {
    constructor(options?: HerokuClientOptions)
    request<T = unknown>(options: HerokuRequestOptions): Promise<T>
    get<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    post<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    patch<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    put<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    delete<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
  }
}

declare module 'heroku-client/lib/request.js' {
  import type { HerokuClientOptions } from 'heroku-client'
  /** One API call. `retries` counts the resends after network errors done so far (it stops at 4). */
  export default class HerokuRequest {
    constructor(options: HerokuClientOptions & { method: string; path: string })
    retries?: number
    request<T = unknown>(): Promise<T>
  }
}
