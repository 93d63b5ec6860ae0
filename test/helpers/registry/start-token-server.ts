import { createSign, randomUUID, X509Certificate } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TokenServer {
  realm: string
  service: string
  issuer: string
  /** Every token request seen: the Basic user (or undefined) and the scopes asked for. */
  requests: Array<{ user: string | undefined; scopes: string[]; method: string; grantType?: string }>
  /** The password a bearer token was minted with (Basic logins only), so a test can revoke what it grants. */
  mintedWith(token: string): string | undefined
  stop(): Promise<void>
}

export interface TokenServerOptions {
  keyPem: string
  certPem: string
  users: Record<string, string>
  /** Checks a Basic login instead of `users` (short-lived passwords such as access tokens that a test revokes). */
  verify?: (user: string, password: string) => boolean
  /** OAuth2 refresh tokens (docker "identitytoken") accepted with grant_type=refresh_token. */
  refreshTokens?: Record<string, string>
  /** Token lifetime in seconds. */
  expiresIn?: number
}

/**
 * A minimal Docker token service (token.md): checks Basic credentials or a refresh token and
 * signs an RS256 JWT granting the requested repository actions. The certificate travels in the
 * x5c header, which distribution verifies against its rootcertbundle.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = 'datapub-test-registry'
  const issuer = 'datapub-test-issuer'
  const requests: TokenServer['requests'] = []
  const minted = new Map<string, string>()
  const der = new X509Certificate(options.certPem).raw.toString('base64')
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://token')
      let scopes = url.searchParams.getAll('scope')
      let user: string | undefined
      let password: string | undefined
      let grantType: string | undefined
      if (req.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
        grantType = form.get('grant_type') ?? undefined
        scopes = (form.get('scope') ?? '').split(' ').filter(Boolean)
        const owner = Object.entries(options.refreshTokens ?? {}).find(([, token]) => token === form.get('refresh_token'))
        if (grantType !== 'refresh_token' || owner === undefined) return deny(res)
        user = owner[0]
      } else {
        const header = req.headers.authorization
        if (header !== undefined) {
          const [name, ...rest] = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8').split(':')
          password = rest.join(':')
          const accepted = name !== undefined && (options.verify === undefined ? options.users[name] === password : options.verify(name, password))
          if (!accepted) return deny(res)
          user = name
        }
      }
      requests.push({ user, scopes, method: req.method ?? 'GET', ...(grantType === undefined ? {} : { grantType }) })
      // Anonymous callers may only pull, so a push without credentials fails as on a real registry.
      const access = scopes.flatMap((s) => s.split(' ')).map((s) => {
        const [type, name, actions] = s.split(':')
        const wanted = (actions ?? '').split(',')
        return { type, name, actions: user === undefined ? wanted.filter((a) => a === 'pull') : wanted }
      })
      const now = Math.floor(Date.now() / 1000)
      const token = sign(
        { alg: 'RS256', typ: 'JWT', x5c: [der] },
        { iss: issuer, sub: user ?? '', aud: service, exp: now + (options.expiresIn ?? 300), nbf: now - 10, iat: now, jti: randomUUID(), access },
        options.keyPem,
      )
      if (password !== undefined) minted.set(token, password)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ token, expires_in: options.expiresIn ?? 300, issued_at: new Date().toISOString() }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    mintedWith: (token) => minted.get(token),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function deny(res: http.ServerResponse): void {
  res.writeHead(401, { 'content-type': 'application/json' })
  res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
}

function sign(header: object, claims: object, keyPem: string): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode(header)}.${encode(claims)}`
  const signature = createSign('RSA-SHA256').update(input).sign(keyPem).toString('base64url')
  return `${input}.${signature}`
}
