import type { ECRClient } from '@aws-sdk/client-ecr'
import { DatapubError, registerSecret, type CredentialResolver, type ResolvedCredentials } from '@datapub/core/kit'

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/

export interface EcrCredentials {
  resolve: CredentialResolver
  /** Creates the repository when DescribeRepositories says it does not exist; ECR refuses pushes to missing repositories. */
  ensureRepository(repository: string): Promise<'exists' | 'created'>
}

export interface EcrOptions {
  region: string
  /** An ECRClient to use (tests, custom credentials); otherwise one is built from the default AWS chain. */
  client?: ECRClient
  /** Refresh this long before the 12-hour token expires. */
  refreshMarginMs?: number
}

/**
 * ECR credentials from GetAuthorizationToken (`AWS` + a 12-hour password), cached until shortly
 * before expiry and answered with their `expiresAt`; asked with `refresh` (the registry refused
 * them), it fetches a new one. @aws-sdk/client-ecr is loaded only when ECR is used.
 */
export function ecrCredentials(options: EcrOptions): EcrCredentials {
  let client: Promise<ECRClient> | undefined
  let cached: { credentials: ResolvedCredentials; endpoint: string; expiresAt: number } | undefined
  const margin = options.refreshMarginMs ?? 5 * 60_000
  const sdk = () => import('@aws-sdk/client-ecr')
  const getClient = (): Promise<ECRClient> => {
    client ??= options.client !== undefined ? Promise.resolve(options.client) : sdk().then(({ ECRClient }) => new ECRClient({ region: options.region }))
    return client
  }

  const resolve: CredentialResolver = async (registry, request) => {
    const match = ECR_HOST.exec(registry)
    if (match === null) return undefined
    // A refresh means the registry refused the cached password (or it is about to lapse): ask AWS for a new one.
    if (cached !== undefined && request?.refresh !== true && cached.expiresAt - margin > Date.now()) return cached.credentials
    const { GetAuthorizationTokenCommand } = await sdk()
    let answer
    try {
      answer = await (await getClient()).send(new GetAuthorizationTokenCommand({}))
    } catch (error) {
      throw awsError('GetAuthorizationToken', error)
    }
    const data = answer.authorizationData?.[0]
    if (data?.authorizationToken === undefined) {
      throw new DatapubError('REGISTRY_AUTH_FAILED', 'ECR GetAuthorizationToken returned no token.', { fault: 'host' })
    }
    registerSecret(data.authorizationToken)
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const password = decoded.slice(colon + 1)
    registerSecret(password)
    const expiresAt = data.expiresAt instanceof Date ? data.expiresAt.getTime() : Date.now() + 12 * 3600_000
    // expiresAt lets the registry client renew ahead of time during one long push.
    const credentials = { username: decoded.slice(0, colon), password, expiresAt }
    cached = { credentials, endpoint: data.proxyEndpoint ?? '', expiresAt }
    return credentials
  }

  const ensureRepository = async (repository: string): Promise<'exists' | 'created'> => {
    const { DescribeRepositoriesCommand, CreateRepositoryCommand } = await sdk()
    const ecr = await getClient()
    try {
      await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }))
      return 'exists'
    } catch (error) {
      if ((error as { name?: string }).name !== 'RepositoryNotFoundException') throw awsError('DescribeRepositories', error)
    }
    try {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }))
      return 'created'
    } catch (error) {
      // Another publish created it between the two calls.
      if ((error as { name?: string }).name === 'RepositoryAlreadyExistsException') return 'exists'
      throw awsError('CreateRepository', error)
    }
  }

  return { resolve, ensureRepository }
}

function awsError(operation: string, error: unknown): DatapubError {
  const name = (error as { name?: string }).name ?? 'Error'
  const denied = /AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken|CredentialsProvider/i.test(name) || /credential/i.test((error as Error).message ?? '')
  return new DatapubError(denied ? 'REGISTRY_AUTH_FAILED' : 'REGISTRY_ERROR', `ECR ${operation} failed: ${name}.`, {
    fault: denied ? 'user' : 'host',
    cause: error,
    hint: denied ? 'Check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID ...) and their ecr:* permissions.' : undefined,
    details: { operation, awsError: name },
  })
}
