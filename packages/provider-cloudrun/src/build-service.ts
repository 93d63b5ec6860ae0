import type { protos } from '@google-cloud/run'
import { cloudrunError } from './cloudrun-error.js'
import type { CloudrunOptions } from './options.js'

type IService = protos.google.cloud.run.v2.IService
type IEnvVar = protos.google.cloud.run.v2.IEnvVar

export interface ServiceInput {
  /** Full resource name: projects/P/locations/L/services/S. */
  name: string
  image: string
  /** Deploy-time secrets (DATASETTE_SECRET, plugin secrets). */
  env: Record<string, string>
  port: number
}

/**
 * The fields datapub manages, as a whole Service for a first deploy; a redeploy merges them into
 * the service as read (merge-service.ts). Traffic goes back to the latest revision, undoing an
 * earlier rollback.
 */
export function buildService(input: ServiceInput, options: CloudrunOptions): IService {
  const limits: Record<string, string> = {}
  if (options.memory !== undefined) limits.memory = options.memory
  if (options.cpu !== undefined) limits.cpu = options.cpu
  return {
    name: input.name,
    labels: { ...parsePairs(options.labels), 'managed-by': 'datapub' },
    template: {
      containers: [{ image: input.image, env: buildEnv(input.env, options), ports: [{ containerPort: input.port }], resources: { limits } }],
      scaling: {
        ...(options.minInstances === undefined ? {} : { minInstanceCount: options.minInstances }),
        ...(options.maxInstances === 0 ? {} : { maxInstanceCount: options.maxInstances }),
      },
      ...(options.timeout === undefined ? {} : { timeout: { seconds: options.timeout } }),
      ...(options.concurrency === undefined ? {} : { maxInstanceRequestConcurrency: options.concurrency }),
      ...(options.serviceAccount === undefined ? {} : { serviceAccount: options.serviceAccount }),
    },
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
  }
}

/** Secrets named in --secrets become Secret Manager references; the rest travel as plain env. Sorted, so equal input gives an equal Service. */
export function buildEnv(secretsEnv: Record<string, string>, options: CloudrunOptions): IEnvVar[] {
  const plain = new Map<string, string>([...Object.entries(parsePairs(options.env)), ...Object.entries(secretsEnv)])
  const refs = new Map<string, { secret: string; version: string }>()
  for (const entry of options.secrets) {
    const [name, ref] = splitPair(entry)
    const [secret, version] = ref.split(':') as [string, string | undefined]
    refs.set(name, { secret, version: version ?? 'latest' })
    plain.delete(name)
  }
  const names = [...new Set([...plain.keys(), ...refs.keys()])].sort()
  return names.map((name) => {
    const ref = refs.get(name)
    return ref === undefined ? { name, value: plain.get(name) ?? '' } : { name, valueSource: { secretKeyRef: ref } }
  })
}

const MEMORY_UNITS: Record<string, number> = { Mi: 2 ** 20, M: 1e6, Gi: 2 ** 30, G: 1e9 }
const MIN_MEMORY_FOR_CPU: Record<string, number> = { '4': 2 * 2 ** 30, '8': 4 * 2 ** 30 }

export function memoryBytes(memory: string): number {
  const match = /^(\d+)(Gi|G|Mi|M)$/.exec(memory)
  return match === null ? Number.NaN : Number(match[1]) * (MEMORY_UNITS[match[2]!] ?? Number.NaN)
}

/** Combinations Cloud Run rejects, caught before anything is built or pushed. */
export function checkResources(options: CloudrunOptions): void {
  if (options.memory !== undefined && memoryBytes(options.memory) > 32 * 2 ** 30) {
    throw cloudrunError('CLOUDRUN_INVALID_ARGUMENT', `--memory ${options.memory} is over Cloud Run's 32Gi limit.`, 'user', 'Use at most 32Gi.')
  }
  const needed = options.cpu === undefined ? undefined : MIN_MEMORY_FOR_CPU[options.cpu]
  if (needed !== undefined && (options.memory === undefined || memoryBytes(options.memory) < needed)) {
    throw cloudrunError('CLOUDRUN_INVALID_ARGUMENT', `--cpu ${options.cpu} needs at least ${needed / 2 ** 30}Gi of memory.`, 'user', `Add --memory ${needed / 2 ** 30}Gi or more.`)
  }
  if (options.minInstances !== undefined && options.maxInstances !== 0 && options.minInstances > options.maxInstances) {
    throw cloudrunError('CLOUDRUN_INVALID_ARGUMENT', `--min-instances ${options.minInstances} is above --max-instances ${options.maxInstances}.`, 'user', 'Raise --max-instances (0 removes the limit) or lower --min-instances.')
  }
}

export function parsePairs(entries: string[]): Record<string, string> {
  return Object.fromEntries(entries.map(splitPair))
}

function splitPair(entry: string): [string, string] {
  const at = entry.indexOf('=')
  return [entry.slice(0, at), entry.slice(at + 1)]
}
