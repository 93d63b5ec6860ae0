import type { InjectionToken } from 'tsyringe'
import type { Logger } from '../contract/logger.js'
import type { HttpClientFactory } from '../contract/http-client-factory.js'
import type { ContainerEngine } from '../contract/container-engine.js'
import type { ProviderRegistry } from '../provider/provider-registry.js'
import type { PipelineServices } from '../publish/stages/pipeline-services.js'

/** Typed tokens for everything the composition root wires. Interfaces only: no concrete types leak. */
export const Tokens = {
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  HttpClientFactory: Symbol('HttpClientFactory') as InjectionToken<HttpClientFactory>,
  EngineFactory: Symbol('EngineFactory') as InjectionToken<() => Promise<ContainerEngine>>,
  Clock: Symbol('Clock') as InjectionToken<() => number>,
  Env: Symbol('Env') as InjectionToken<Readonly<Record<string, string | undefined>>>,
  ProviderRegistry: Symbol('ProviderRegistry') as InjectionToken<ProviderRegistry>,
  Pipeline: Symbol('Pipeline') as InjectionToken<PipelineServices>,
} as const

export type TokenMap = {
  [K in keyof typeof Tokens]: (typeof Tokens)[K] extends InjectionToken<infer T> ? T : never
}
