import { mapHttpError } from '@datapub/core/kit'
import { app, bodyError, type FlyApi } from './fly-api.js'
import type { FlyLease, FlyMachine, FlyMachineConfig } from './fly-types.js'

/** The Machines API's machine calls (fly-go flaps/flaps_machines.go); the lease nonce travels in `fly-machine-lease-nonce`. */
export const NONCE_HEADER = 'fly-machine-lease-nonce'

const machines = (name: string) => `${app(name)}/machines`
const nonceHeaders = (nonce: string | undefined): Record<string, string> => (nonce === undefined ? {} : { [NONCE_HEADER]: nonce })

const LEASED = {
  409: { code: 'FLY_MACHINE_LEASED', message: (e: { response?: { body?: unknown } }) => `Another deploy holds the machine's lease${bodyError(e)}.`, fault: 'user' as const, hint: 'Another `fly deploy` or datapub publish is updating this app; wait for it and publish again.' },
}

export async function listMachines(api: FlyApi, name: string, signal: AbortSignal): Promise<FlyMachine[]> {
  const { body } = await api.request<FlyMachine[]>({ method: 'GET', path: machines(name), signal })
  return body.filter((m) => m.state !== 'destroyed' && m.state !== 'destroying')
}

export async function getMachine(api: FlyApi, name: string, id: string, signal: AbortSignal): Promise<FlyMachine> {
  return (await api.request<FlyMachine>({ method: 'GET', path: `${machines(name)}/${id}`, signal })).body
}

export async function createMachine(api: FlyApi, name: string, input: { config: FlyMachineConfig; region?: string; minSecretsVersion?: number }, signal: AbortSignal): Promise<FlyMachine> {
  const json = { config: input.config, ...(input.region === undefined ? {} : { region: input.region }), ...(input.minSecretsVersion === undefined ? {} : { min_secrets_version: input.minSecretsVersion }) }
  // Not idempotent: a blind resend after a lost answer would launch a second machine.
  const { body } = await api.request<FlyMachine>({ method: 'POST', path: machines(name), json, signal }).catch((error: unknown) => {
    throw mapHttpError(error, machineRefusals('create a machine in', name))
  })
  return body
}

export async function updateMachine(api: FlyApi, name: string, id: string, input: { config: FlyMachineConfig; nonce?: string; minSecretsVersion?: number }, signal: AbortSignal): Promise<FlyMachine> {
  const json = { config: input.config, ...(input.minSecretsVersion === undefined ? {} : { min_secrets_version: input.minSecretsVersion }) }
  const { body } = await api.request<FlyMachine>({ method: 'POST', path: `${machines(name)}/${id}`, json, headers: nonceHeaders(input.nonce), signal }).catch((error: unknown) => {
    throw mapHttpError(error, { ...LEASED, ...machineRefusals(`update machine ${id} of`, name) })
  })
  return body
}

export async function destroyMachine(api: FlyApi, name: string, id: string, signal: AbortSignal, nonce?: string): Promise<void> {
  await api.request({ method: 'DELETE', path: `${machines(name)}/${id}`, query: { kill: true }, headers: nonceHeaders(nonce), accept: [404], signal }).catch((error: unknown) => {
    throw mapHttpError(error, LEASED)
  })
}

/** Blocks server-side (at most 60 s a call) until the machine instance reaches `state`; false on Fly's 408. The instance goes as `version`, as fly-go sends it. */
export async function waitForState(api: FlyApi, name: string, id: string, input: { state: 'started' | 'stopped'; instanceId?: string; timeoutS: number }, signal: AbortSignal): Promise<boolean> {
  const timeout = Math.max(1, Math.min(60, Math.floor(input.timeoutS)))
  const response = await api.request({ method: 'GET', path: `${machines(name)}/${id}/wait`, query: { state: input.state, timeout, version: input.instanceId }, accept: [408], timeoutMs: (timeout + 15) * 1000, signal })
  return response.status === 200
}

export async function acquireLease(api: FlyApi, name: string, id: string, ttlS: number, signal: AbortSignal): Promise<string> {
  const { body } = await api.request<FlyLease>({ method: 'POST', path: `${machines(name)}/${id}/lease`, query: { ttl: ttlS }, signal }).catch((error: unknown) => {
    throw mapHttpError(error, LEASED)
  })
  return body.data?.nonce ?? ''
}

export async function releaseLease(api: FlyApi, name: string, id: string, nonce: string, signal: AbortSignal): Promise<void> {
  await api.request({ method: 'DELETE', path: `${machines(name)}/${id}/lease`, headers: nonceHeaders(nonce), accept: [404], signal })
}

function machineRefusals(what: string, name: string) {
  return {
    400: { code: 'FLY_MACHINE_CONFIG_INVALID', message: (e: { response?: { body?: unknown } }) => `Fly refused to ${what} ${name}${bodyError(e)}.`, fault: 'user' as const, hint: 'Check --memory, --cpus and --cpu-kind against fly.io/docs/machines/guides-examples/machine-sizing.' },
    404: { code: 'FLY_MACHINE_REFUSED', message: (e: { response?: { body?: unknown } }) => `Fly could not ${what} ${name}${bodyError(e)}.`, fault: 'user' as const, hint: 'The app, the volume or the image was not found; check --name and --volume-name.' },
    422: { code: 'FLY_MACHINE_REFUSED', message: (e: { response?: { body?: unknown } }) => `Fly refused to ${what} ${name}${bodyError(e)}.`, fault: 'user' as const, hint: 'A volume attaches to one machine at a time; another machine may hold it.' },
  }
}
