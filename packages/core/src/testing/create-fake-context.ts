import { createHttpClient } from '../http/create-http-client.js'
import type { HttpClientFactory } from '../contract/http-client-factory.js'
import { createLogger } from '../log/logger.js'
import type { EventInput } from '../contract/publish-event.js'
import type { ContainerEngine } from '../contract/container-engine.js'
import { DatapubError } from '../errors/datapub-error.js'
import type { ProviderContext } from '../contract/provider-types.js'

export interface FakeContextOptions {
  env?: Record<string, string | undefined>
  http?: HttpClientFactory
  engine?: ContainerEngine | (() => Promise<ContainerEngine>)
  signal?: AbortSignal
  provider?: string
}

export interface FakeContext<O> {
  context: ProviderContext<O>
  /** Every event the provider emitted, in order. */
  events: EventInput[]
  /** Every log line, already redacted as core would write it. */
  logs: string[]
}

/** A ProviderContext for provider unit tests: real http client factory, recorded events and logs, no engine unless given. */
export function createFakeContext<O>(options: O, fake: FakeContextOptions = {}): FakeContext<O> {
  const events: EventInput[] = []
  const logs: string[] = []
  const engine = fake.engine
  const context: ProviderContext<O> = {
    options,
    provider: fake.provider ?? 'test',
    http: fake.http ?? ((o) => createHttpClient({ retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...o })),
    emit: (event) => events.push(event),
    logger: createLogger((level, line) => logs.push(`${level}: ${line}`)),
    signal: fake.signal ?? new AbortController().signal,
    engine: async () => {
      if (engine === undefined) throw new DatapubError('ENGINE_UNREACHABLE', 'This test context has no container engine.', { fault: 'internal' })
      return typeof engine === 'function' ? engine() : engine
    },
    env: fake.env ?? {},
  }
  return { context, events, logs }
}
