import type { ProviderRegistry } from './provider-registry.js'

/** Whether the provider named in an export runs engine images; unknown (not installed here) means no. */
export async function runsEngineImages(registry: ProviderRegistry, provider: string): Promise<boolean> {
  const definition = await registry.get(provider).catch(() => undefined)
  return definition?.capabilities?.runsEngineImages === true
}
