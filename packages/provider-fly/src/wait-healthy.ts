import { DatapubError, isDatapubError, waitUntil, type Emit } from '@datapub/core/kit'
import type { FlyApi } from './fly-api.js'
import type { FlyMachine } from './fly-types.js'
import { getMachine, waitForState } from './machines.js'

export interface WaitHealthyOptions {
  timeoutMs: number
  pollMs: number
  signal: AbortSignal
  emit: Emit
  /** The last lines a machine logged, for the error when it fails (see fetchLogTail). */
  logTail?: (machine: FlyMachine) => Promise<string[] | undefined>
}

const DOWN = new Set(['stopped', 'failed', 'destroyed', 'destroying', 'suspended'])

/**
 * Waits until the machine's new instance is started and every check passes, as flyctl does
 * before it moves on (`fly deploy` waits for started, then for health checks). The Machines
 * API's own wait blocks until `started`; the checks are then polled. A machine that stops or
 * fails on the way fails at once, with its state, exit code and check output.
 */
export async function waitHealthy(api: FlyApi, app: string, machine: FlyMachine, options: WaitHealthyOptions): Promise<FlyMachine> {
  let last = machine
  try {
    return await waitForHealth(api, app, machine, options, (m) => (last = m))
  } catch (error) {
    if (!isDatapubError(error) || (error.code !== 'FLY_MACHINE_UNHEALTHY' && error.code !== 'FLY_MACHINE_TIMEOUT') || options.logTail === undefined) throw error
    throw withLogTail(error, await options.logTail(last))
  }
}

async function waitForHealth(api: FlyApi, app: string, machine: FlyMachine, options: WaitHealthyOptions, seen: (m: FlyMachine) => void): Promise<FlyMachine> {
  const deadline = Date.now() + options.timeoutMs
  const instance = machine.instance_id
  let started = false
  return waitUntil<FlyMachine>({
    timeoutMs: options.timeoutMs,
    minDelayMs: options.pollMs,
    // --poll-interval is the pace: backoff only up to twice it.
    maxDelayMs: options.pollMs * 2,
    signal: options.signal,
    timeout: { code: 'FLY_MACHINE_TIMEOUT', message: `Machine ${machine.id} of ${app} was not healthy in time`, hint: 'The previous machines keep serving. Raise --ready-timeout for slow starts, or read `fly logs -a ' + app + '`.', fault: 'host', provider: 'fly' },
    check: async ({ signal }) => {
      if (!started) {
        started = await waitForState(api, app, machine.id, { state: 'started', timeoutS: (deadline - Date.now()) / 1000, ...(instance === undefined ? {} : { instanceId: instance }) }, signal)
      }
      const current = await getMachine(api, app, machine.id, signal)
      seen(current)
      const verdict = health(current, instance)
      if (verdict.kind === 'healthy') return { done: true, value: current }
      if (verdict.kind === 'failed') throw unhealthy(app, current)
      options.emit({ type: 'deploy:status', state: 'waiting', message: `machine ${machine.id}: ${verdict.reason}` })
      return { done: false, reason: verdict.reason }
    },
  })
}

export type Health = { kind: 'healthy' } | { kind: 'failed' } | { kind: 'pending'; reason: string }

/** Healthy: this instance started and every check passes (a machine with no check counts as healthy once started). */
export function health(machine: FlyMachine, instance?: string): Health {
  if (instance !== undefined && machine.instance_id !== undefined && machine.instance_id !== instance) return { kind: 'pending', reason: `still on instance ${machine.instance_id}` }
  if (DOWN.has(machine.state)) return { kind: 'failed' }
  if (machine.state !== 'started') return { kind: 'pending', reason: `state ${machine.state}` }
  const checks = machine.checks ?? []
  const passing = checks.filter((c) => c.status === 'passing').length
  if (passing === checks.length && (checks.length > 0 || (machine.config?.services?.[0]?.checks?.length ?? 0) === 0)) return { kind: 'healthy' }
  return { kind: 'pending', reason: checks.length === 0 ? 'started, waiting for the first check' : `${passing}/${checks.length} checks passing (${checks.map((c) => c.output ?? c.status).join('; ')})` }
}

/** The same error with the machine's last log lines in its message and details, when there are any. */
function withLogTail(error: DatapubError, tail: string[] | undefined): DatapubError {
  if (tail === undefined || tail.length === 0) return error
  return new DatapubError(error.code, `${error.message}\n--- machine log (last lines) ---\n${tail.join('\n')}`, {
    fault: error.fault,
    ...(error.provider === undefined ? {} : { provider: error.provider }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    details: { ...error.details, logTail: tail },
    cause: error,
  })
}

/** The failure as a coded error: state, last exit code, check output. Fly keeps the logs, which `fly logs` shows. */
export function unhealthy(app: string, machine: FlyMachine): DatapubError {
  const exit = (machine.events ?? []).find((e) => e.request?.exit_event !== undefined)?.request?.exit_event
  const checks = (machine.checks ?? []).map((c) => `${c.name ?? 'check'} ${c.status ?? '?'}${c.output ? `: ${c.output}` : ''}`)
  const parts = [`state ${machine.state}`, ...(exit?.exit_code === undefined ? [] : [`exit code ${exit.exit_code}${exit.oom_killed ? ' (out of memory)' : ''}`]), ...checks]
  return new DatapubError('FLY_MACHINE_UNHEALTHY', `Machine ${machine.id} of ${app} failed to become healthy: ${parts.join(', ')}.`, {
    fault: 'user',
    provider: 'fly',
    hint: `The previous machines keep serving. Read \`fly logs -a ${app} -i ${machine.id}\`; the image must listen on $PORT and answer GET /.${exit?.oom_killed ? ' Raise --memory.' : ''}`,
    details: { machine: machine.id, state: machine.state, ...(exit?.exit_code === undefined ? {} : { exitCode: exit.exit_code }), ...(exit?.oom_killed ? { oomKilled: true } : {}), checks },
  })
}
