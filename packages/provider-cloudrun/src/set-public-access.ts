import type { v2 } from '@google-cloud/run'
import { cloudrunError, googleFacts } from './cloudrun-error.js'
import { withQuotaRetry } from './with-quota-retry.js'

const ROLE = 'roles/run.invoker'
const EVERYONE = 'allUsers'

/**
 * Grants (or, for --no-public, withdraws) roles/run.invoker to allUsers. Read-modify-write with
 * the policy's etag, so bindings someone else added are kept. Returns whether the policy changed.
 */
export async function setPublicAccess(services: v2.ServicesClient, resource: string, makePublic: boolean, signal: AbortSignal): Promise<boolean> {
  const [policy] = await withQuotaRetry(`Reading the IAM policy of ${resource}`, () => services.getIamPolicy({ resource }), signal)
  const bindings = (policy.bindings ?? []).map((b) => ({ role: b.role ?? '', members: [...(b.members ?? [])], ...(b.condition ? { condition: b.condition } : {}) }))
  const invoker = bindings.find((b) => b.role === ROLE && b.condition === undefined)
  const isPublic = invoker?.members.includes(EVERYONE) ?? false
  if (isPublic === makePublic) return false
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
    // Domain-restricted sharing refuses allUsers; the service is deployed, just not public.
    if (makePublic && /permitted customer|domain restricted|allUsers/i.test(googleFacts((error as { cause?: unknown }).cause ?? error).message)) {
      throw cloudrunError('CLOUDRUN_PUBLIC_ACCESS_DENIED', `The organisation policy does not allow public access to ${resource}.`, 'user', 'Deploy with --no-public and grant roles/run.invoker to specific members, or ask an admin to relax iam.allowedPolicyMemberDomains.', error)
    }
    throw error
  }
  return true
}
