// heroku-client 3.x ships no types; this covers the part datapub uses (the Heroku class of lib/index.js).
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

