import type { ProviderImplementation, ProviderOperations } from '../contract/provider-types.js'

/** Where each operation takes its signal (deploy carries it in its input). */
const SIGNAL_AT: Readonly<Record<string, number>> = { checkAuth: 0, pushTarget: 1, status: 1, list: 0, destroy: 1, rollback: 1, export: 1, assignAliases: 2, fetchSource: 2 }
const BOUND = Symbol.for('datapub.bound-operations')

/**
 * Wraps a provider's operations so each call receives one signal, always set: the caller's
 * joined with the provider context's. The one place the two meet, so providers never do it.
 */
export function bindSignals(operations: ProviderImplementation | ProviderOperations, contextSignal: AbortSignal): ProviderOperations {
  const source = operations as unknown as Record<string | symbol, unknown>
  if (source[BOUND] === true) return operations as ProviderOperations
  const bound: Record<string | symbol, unknown> = {}
  const names = new Set<string>([...Object.keys(source), ...Object.keys(SIGNAL_AT), 'deploy'])
  for (const name of names) {
    const value = source[name]
    if (typeof value !== 'function') {
      if (value !== undefined) bound[name] = value
      continue
    }
    const fn = value as (...args: unknown[]) => unknown
    const at = SIGNAL_AT[name]
    if (name === 'deploy') {
      bound[name] = (input: { signal?: AbortSignal }) => fn.call(operations, { ...input, signal: join(contextSignal, input.signal) })
    } else if (at !== undefined) {
      bound[name] = (...args: unknown[]) => {
        const call = args.slice(0, at)
        while (call.length < at) call.push(undefined)
        call.push(join(contextSignal, args[at] as AbortSignal | undefined), ...args.slice(at + 1))
        return fn.apply(operations, call)
      }
    } else bound[name] = fn.bind(operations)
  }
  Object.defineProperty(bound, BOUND, { value: true })
  return bound as unknown as ProviderOperations
}

function join(context: AbortSignal, call: AbortSignal | undefined): AbortSignal {
  return call === undefined || call === context ? context : AbortSignal.any([context, call])
}
