import { mapBounded, type Emit } from '@datapub/core/kit'
import type { FlyApi } from './fly-api.js'
import type { FlyMachine, FlyMachineConfig } from './fly-types.js'
import { acquireLease, createMachine, destroyMachine, releaseLease, updateMachine } from './machines.js'
import { waitHealthy } from './wait-healthy.js'

export interface ReplaceInput {
  app: string
  config: FlyMachineConfig
  count: number
  region?: string
  minSecretsVersion?: number
  /** The app's machines now serving. */
  current: FlyMachine[]
  /** Volume the new machine mounts; it can be attached to one machine only. */
  volumeId?: string
  timeoutMs: number
  pollMs: number
  signal: AbortSignal
  emit: Emit
  /** A failed machine's last log lines, for its error. */
  logTail?: (machine: FlyMachine) => Promise<string[] | undefined>
}

/**
 * Puts the config on the app so the old version serves until the new one is healthy.
 *
 * Without a volume: new machines are launched beside the old ones, and the old ones are
 * destroyed only when every new one has started and passes its check (what flyctl's
 * bluegreen strategy does; its default, rolling, updates in place one machine at a time, which
 * for the single machine of a typical Datasette app means downtime). When a new machine fails,
 * the new ones are destroyed and the old keep serving.
 *
 * With a volume, which attaches to one machine: the machine holding it is updated in place
 * under a lease (flyctl's rolling path), and a failed update is rolled back to the previous
 * config, so the previous version serves again.
 */
export async function replaceMachines(api: FlyApi, input: ReplaceInput): Promise<FlyMachine[]> {
  const { app, signal, emit } = input
  const wait = { timeoutMs: input.timeoutMs, pollMs: input.pollMs, signal, emit, ...(input.logTail === undefined ? {} : { logTail: input.logTail }) }
  const holder = input.volumeId === undefined ? undefined : input.current.find((m) => (m.config?.mounts ?? []).some((mount) => mount.volume === input.volumeId))
  if (holder !== undefined) {
    const healthy = await updateInPlace(api, holder, input, wait)
    await retire(api, app, input.current.filter((m) => m.id !== holder.id), emit, signal)
    return [healthy]
  }
  const launched: FlyMachine[] = []
  try {
    for (let i = 0; i < input.count; i++) {
      const machine = await createMachine(api, app, { config: input.config, ...(input.region === undefined ? {} : { region: input.region }), ...(input.minSecretsVersion === undefined ? {} : { minSecretsVersion: input.minSecretsVersion }) }, signal)
      launched.push(machine)
      emit({ type: 'deploy:status', state: 'launched', message: `machine ${machine.id} launched${machine.region ? ` in ${machine.region}` : ''}` })
    }
    const healthy = await mapBounded(launched, 4, (m) => waitHealthy(api, app, m, wait), signal)
    await retire(api, app, input.current, emit, signal)
    return healthy
  } catch (error) {
    // The new machines never took the old ones' place: remove them, leave the old serving.
    const cleanup = new AbortController().signal
    for (const m of launched) await destroyMachine(api, app, m.id, cleanup).catch(() => undefined)
    throw error
  }
}

async function updateInPlace(api: FlyApi, machine: FlyMachine, input: ReplaceInput, wait: Parameters<typeof waitHealthy>[3]): Promise<FlyMachine> {
  const { app, signal, emit } = input
  const ttl = Math.ceil(input.timeoutMs / 1000) + 60
  const nonce = await acquireLease(api, app, machine.id, ttl, signal)
  const cleanup = new AbortController().signal
  try {
    emit({ type: 'deploy:status', state: 'updating', message: `updating machine ${machine.id} in place (it holds the volume)` })
    const updated = await updateMachine(api, app, machine.id, { config: input.config, nonce, ...(input.minSecretsVersion === undefined ? {} : { minSecretsVersion: input.minSecretsVersion }) }, signal)
    try {
      return await waitHealthy(api, app, updated, wait)
    } catch (error) {
      if (machine.config !== undefined) {
        emit({ type: 'deploy:status', state: 'reverting', message: `machine ${machine.id} failed; restoring its previous image` })
        await updateMachine(api, app, machine.id, { config: machine.config, nonce }, cleanup).catch(() => undefined)
      }
      throw error
    }
  } finally {
    await releaseLease(api, app, machine.id, nonce, cleanup).catch(() => undefined)
  }
}

async function retire(api: FlyApi, app: string, machines: FlyMachine[], emit: Emit, signal: AbortSignal): Promise<void> {
  for (const m of machines) {
    await destroyMachine(api, app, m.id, signal)
    emit({ type: 'deploy:status', state: 'retired', message: `machine ${m.id} (previous version) destroyed` })
  }
}
