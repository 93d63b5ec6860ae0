import { AssignAliasRequest$outboundSchema } from '@vercel/sdk/models/assignaliasop.js'
import { CreateProjectRequest$outboundSchema } from '@vercel/sdk/models/createprojectcontenthint2.js'
import { CreateProjectEnvRequest$outboundSchema } from '@vercel/sdk/models/createprojectenvop.js'
import { DeleteDeploymentRequest$outboundSchema } from '@vercel/sdk/models/deletedeploymentop.js'
import { GetDeploymentEventsRequest$outboundSchema } from '@vercel/sdk/models/getdeploymenteventsop.js'
import { GetDeploymentRequest$outboundSchema } from '@vercel/sdk/models/getdeploymentgitsourcedeploymentsresponse200applicationjsonresponsebody215type.js'
import { GetDeploymentsRequest$outboundSchema } from '@vercel/sdk/models/getdeploymentsop.js'
import { GetProjectRequest$outboundSchema } from '@vercel/sdk/models/getprojecthas2.js'
import { ListDeploymentAliasesRequest$outboundSchema } from '@vercel/sdk/models/listdeploymentaliasesop.js'
import { RequestRollbackRequest$outboundSchema } from '@vercel/sdk/models/requestrollbackop.js'
import { CreateDeploymentRequest$outboundSchema } from '@vercel/sdk/models/responsebodyimages.js'
import { UploadFileRequest$outboundSchema } from '@vercel/sdk/models/uploadfileop.js'

/** The slice of a zod (v3) schema this oracle uses; @vercel/sdk's models are zod/v3 schemas. */
interface ZodTypeAny {
  _def: unknown
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: Array<{ path: Array<string | number>; message: string }> } }
}

/** One REST operation of Vercel's own SDK (@vercel/sdk, src/funcs/*.ts): method, path template, request model. */
interface Operation {
  id: string
  method: string
  path: RegExp
  request: ZodTypeAny
  body: boolean
  /** Wire header name to the SDK's parameter name (uploadFile sends its parameters as headers). */
  headers?: Record<string, string>
}

const op = (id: string, method: string, template: string, request: ZodTypeAny, body = false, headers?: Record<string, string>): Operation => ({
  id,
  method,
  path: new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
  request,
  body,
  ...(headers === undefined ? {} : { headers }),
})

/**
 * getAuthUser has no request model (the SDK sends only the token); its team parameters are the
 * ones every other model names, so GetDeployments' teamId and slug fields stand in for it.
 */
const GetAuthUserRequest = (GetDeploymentsRequest$outboundSchema as unknown as { pick(keys: Record<string, true>): ZodTypeAny }).pick({ teamId: true, slug: true })

export const VERCEL_OPERATIONS: Operation[] = [
  op('getAuthUser', 'GET', '/v2/user', GetAuthUserRequest),
  op('getProject', 'GET', '/v9/projects/{idOrName}', GetProjectRequest$outboundSchema),
  op('createProject', 'POST', '/v11/projects', CreateProjectRequest$outboundSchema, true),
  op('createProjectEnv', 'POST', '/v10/projects/{idOrName}/env', CreateProjectEnvRequest$outboundSchema, true),
  op('createDeployment', 'POST', '/v13/deployments', CreateDeploymentRequest$outboundSchema, true),
  op('uploadFile', 'POST', '/v2/files', UploadFileRequest$outboundSchema, false, { 'content-length': 'contentLength', 'x-vercel-digest': 'xVercelDigest', 'x-now-digest': 'xNowDigest', 'x-now-size': 'xNowSize' }),
  op('getDeployment', 'GET', '/v13/deployments/{idOrUrl}', GetDeploymentRequest$outboundSchema),
  op('getDeploymentEvents', 'GET', '/v3/deployments/{idOrUrl}/events', GetDeploymentEventsRequest$outboundSchema),
  op('getDeployments', 'GET', '/v7/deployments', GetDeploymentsRequest$outboundSchema),
  op('deleteDeployment', 'DELETE', '/v13/deployments/{id}', DeleteDeploymentRequest$outboundSchema),
  op('assignAlias', 'POST', '/v2/deployments/{id}/aliases', AssignAliasRequest$outboundSchema, true),
  op('listDeploymentAliases', 'GET', '/v2/deployments/{id}/aliases', ListDeploymentAliasesRequest$outboundSchema),
  op('requestRollback', 'POST', '/v1/projects/{projectId}/rollback/{deploymentId}', RequestRollbackRequest$outboundSchema),
]

export interface WireRequest {
  method: string
  /** Path with query string, as sent. */
  path: string
  headers?: Record<string, string | string[] | undefined>
  /** Parsed JSON body, if any. */
  body?: unknown
}

/**
 * Checks one request datapub sent against the request model of Vercel's SDK: the operation must
 * exist, every query parameter and body field must be one the model names (so a misspelt field
 * fails), and the values must parse with the model's types. Returns the violations, empty when
 * the request is one the SDK itself could have sent.
 */
export function checkVercelRequest(request: WireRequest): string[] {
  const url = new URL(request.path, 'http://oracle.invalid')
  const operation = VERCEL_OPERATIONS.find((o) => o.method === request.method.toUpperCase() && o.path.test(url.pathname))
  const where = `${request.method.toUpperCase()} ${url.pathname}`
  if (operation === undefined) return [`${where}: no such operation in @vercel/sdk`]
  const shape = objectShape(operation.request)
  const input: Record<string, unknown> = { ...(operation.path.exec(url.pathname)?.groups ?? {}) }
  const violations: string[] = []
  for (const [key, raw] of url.searchParams) {
    const field = shape[key]
    if (field === undefined || key === 'requestBody') {
      violations.push(`${where}: query parameter "${key}" is not in the SDK's ${operation.id} request`)
      continue
    }
    input[key] = coerce(field, raw)
  }
  for (const [header, key] of Object.entries(operation.headers ?? {})) {
    const value = request.headers?.[header]
    if (typeof value === 'string' && shape[key] !== undefined) input[key] = coerce(shape[key]!, value)
  }
  if (operation.body) input.requestBody = request.body
  else if (request.body !== undefined && request.body !== '' && operation.id !== 'uploadFile' && !isEmptyObject(request.body)) violations.push(`${where}: ${operation.id} takes no body`)
  const parsed = operation.request.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) violations.push(`${where}: ${issue.path.join('.') || '(request)'}: ${issue.message.length > 160 ? `${issue.message.slice(0, 160)}…` : issue.message}`)
    return violations
  }
  if (operation.body) {
    const out = (parsed.data as Record<string, unknown>).RequestBody ?? (parsed.data as Record<string, unknown>).requestBody
    for (const dropped of droppedKeys(request.body, out, 'body')) violations.push(`${where}: ${dropped} is not a field of the SDK's ${operation.id} body`)
  }
  return violations
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0
}

function unwrap(schema: ZodTypeAny): ZodTypeAny {
  // Walks the model's wrappers (effects, optional, lazy) down to the object that names the fields.
  let current = schema
  for (let i = 0; i < 20; i++) {
    const def = current._def as { typeName?: string; schema?: ZodTypeAny; innerType?: ZodTypeAny; getter?: () => ZodTypeAny }
    if (def.typeName === 'ZodEffects' && def.schema) current = def.schema
    else if ((def.typeName === 'ZodOptional' || def.typeName === 'ZodNullable' || def.typeName === 'ZodDefault') && def.innerType) current = def.innerType
    else if (def.typeName === 'ZodLazy' && def.getter) current = def.getter()
    else break
  }
  return current
}

function objectShape(schema: ZodTypeAny): Record<string, ZodTypeAny> {
  const inner = unwrap(schema) as ZodTypeAny & { shape?: Record<string, ZodTypeAny> }
  return inner.shape ?? {}
}

/** Query strings carry text; the SDK's models type them as numbers, booleans or string enums. */
function coerce(field: ZodTypeAny, raw: string): unknown {
  for (const candidate of [raw, Number(raw), raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw]) {
    if (field.safeParse(candidate).success) return candidate
  }
  return raw
}

/**
 * Keys of `input` that the model's parse left out: the SDK's object models strip unknown keys,
 * so a field that vanished is one the SDK does not know. A key renamed by the model (same value
 * under another name) is not dropped.
 */
function droppedKeys(input: unknown, output: unknown, path: string): string[] {
  if (Array.isArray(input)) return Array.isArray(output) ? input.flatMap((item, i) => droppedKeys(item, output[i], `${path}[${i}]`)) : []
  if (typeof input !== 'object' || input === null || typeof output !== 'object' || output === null) return []
  const out = output as Record<string, unknown>
  const found: string[] = []
  for (const [key, value] of Object.entries(input)) {
    if (key in out) found.push(...droppedKeys(value, out[key], `${path}.${key}`))
    else if (!Object.values(out).some((v) => JSON.stringify(v) === JSON.stringify(value))) found.push(`${path}.${key}`)
  }
  return found
}
