import { ServiceContainer } from './service-container.js'
import { Tokens, type TokenMap } from './tokens.js'
import { createLogger } from '../log/logger.js'
import { createHttpClient } from '../http/create-http-client.js'
import { connectEngine } from '../image/connect-engine.js'
import { ProviderRegistry } from '../provider/provider-registry.js'
import { defaultPipelineServices } from '../publish/stages/pipeline-services.js'

export type ServiceOverrides = Partial<TokenMap>

/**
 * The composition root. Defaults for every service; `overrides` replaces any of them (tests,
 * publisher apps that bring their own logger or engine). One child container per publish.
 */
export function createContainer(overrides: ServiceOverrides = {}): ServiceContainer {
  const c = ServiceContainer.create()
  c.registerFactory(Tokens.Env, () => process.env)
  c.registerFactory(Tokens.Logger, () => createLogger())
  c.registerValue(Tokens.HttpClientFactory, createHttpClient)
  c.registerFactory(Tokens.EngineFactory, (self) => {
    let engine: ReturnType<typeof connectEngine> | undefined
    return () => (engine ??= connectEngine({ env: self.resolve(Tokens.Env) }).catch((error: unknown) => ((engine = undefined), Promise.reject(error))))
  })
  c.registerValue(Tokens.Clock, () => Date.now())
  c.registerFactory(Tokens.ProviderRegistry, () => new ProviderRegistry())
  c.registerFactory(Tokens.Pipeline, () => defaultPipelineServices())
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) c.registerValue(Tokens[key as keyof typeof Tokens] as never, value as never)
  }
  return c
}
