import type { v2 } from '@google-cloud/run'
import { awaitOperation } from './await-operation.js'
import { cloudrunError, googleFacts } from './cloudrun-error.js'
import type { IService } from './service-state.js'
import { withQuotaRetry } from './with-quota-retry.js'

const ROLE = 'roles/run.invoker'
const EVERYONE = 'allUsers'

export type PublicAccess = 'unchanged' | 'granted' | 'withdrawn' | 'invoker-iam-disabled'

/**
 * Grants (or, for --no-public, withdraws) roles/run.invoker to allUsers. Read-modify-write with
 * the policy's etag, so bindings someone else added are kept. When domain-restricted sharing
 * refuses allUsers, the service is made public the other way Cloud Run offers, by disabling its
 * invoker IAM check (invokerIamDisabled); when a policy forbids that too, a coded error says the
 * URL is private and why.
 */
export async function setPublicAccess(services: v2.ServicesClient, resource: string, makePublic: boolean, signal: AbortSignal, service?: IService): Promise<PublicAccess> {
  const [policy] = await withQuotaRetry(`Reading the IAM policy of ${resource}`, () => services.getIamPolicy({ resource }), signal)
  const bindings = (policy.bindings ?? []).map((b) => ({ role: b.role ?? '', members: [...(b.members ?? [])], ...(b.condition ? { condition: b.condition } : {}) }))
  const invoker = bindings.find((b) => b.role === ROLE && b.condition === undefined)
  const isPublic = invoker?.members.includes(EVERYONE) ?? false
  if (isPublic === makePublic) return 'unchanged'
  if (makePublic && service?.invokerIamDisabled === true) return 'unchanged'
  if (makePublic) {
    if (invoker === undefined) bindings.push({ role: ROLE, members: [EVERYONE] })
    else invoker.members.push(EVERYONE)
  } else if (invoker !== undefined) {
    invoker.members = invoker.members.filter((m) => m !== EVERYONE)
  }
  const next = { ...(policy.version ? { version: policy.version } : {}), ...(policy.etag && policy.etag.length > 0 ? { etag: policy.etag } : {}), bindings: bindings.filter((b) => b.members.length > 0) }
  try {
    await withQuotaRetry(`Setting the IAM policy of ${resource}`, () => services.setIamPolicy({ resource, policy: next }), signal)
  } catch (error) {
    if (makePublic && /permitted customer|domain restricted|allUsers/i.test(googleFacts((error as { cause?: unknown }).cause ?? error).message)) {
      return disableInvokerIam(services, resource, signal, error)
    }
    throw error
  }
  return makePublic ? 'granted' : 'withdrawn'
}

async function disableInvokerIam(services: v2.ServicesClient, resource: string, signal: AbortSignal, refusal: unknown): Promise<PublicAccess> {
  try {
    const [operation] = await withQuotaRetry(`Disabling the invoker IAM check of ${resource}`, () => services.updateService({ service: { name: resource, invokerIamDisabled: true }, updateMask: { paths: ['invoker_iam_disabled'] } }), signal)
    await awaitOperation(services, resource, operation, `Disabling the invoker IAM check of ${resource}`, signal)
    return 'invoker-iam-disabled'
  } catch (error) {
    throw cloudrunError(
      'CLOUDRUN_PUBLIC_ACCESS_DENIED',
      `The service ${resource} is deployed but its URL is private: an organisation policy refuses allUsers as an invoker (domain-restricted sharing), and disabling the invoker IAM check was refused too (${googleFacts((error as { cause?: unknown }).cause ?? error).message}).`,
      'user',
      'Deploy with --no-public and grant roles/run.invoker to specific members, or ask an admin to allow allUsers (iam.allowedPolicyMemberDomains) or invokerIamDisabled (run.managed.requireInvokerIam) for this project.',
      error,
      { refusal: googleFacts((refusal as { cause?: unknown }).cause ?? refusal).message },
    )
  }
}
