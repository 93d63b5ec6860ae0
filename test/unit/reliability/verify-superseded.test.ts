import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContainer, DatapubError, ProviderRegistry, publish } from '@datapub/core'
import { defineProvider, z } from '@datapub/core/kit'
import { recordEvents } from '@datapub/core/testing'
import { defaultPipelineServices } from '@datapub/core/testing'

let work: string
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'datapub-superseded-'))
  await writeFile(path.join(work, 'a.csv'), 'a\n1\n')
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** A host whose status reports `currentUrl` for the name, the way local does once a newer container replaced ours. */
function host(currentUrl: string) {
  const never = async (): Promise<never> => {
    throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', 'not in this test', { fault: 'internal' })
  }
  return defineProvider({
    name: 'racy',
    apiVersion: 1,
    title: 'Racy host',
    options: z.object({}),
    limits: {},
    accepts: 'context',
    create: () => ({
      checkAuth: async () => ({ account: 'me' }),
      deploy: async ({ name }) => ({ provider: 'racy', id: name, name, url: 'http://127.0.0.1:1111/' }),
      status: async (id) => ({ id, name: id, state: 'running', url: currentUrl }),
      list: never,
      destroy: never,
      rollback: never,
      export: never,
    }),
  })
}

async function run(currentUrl: string) {
  const verifyFailed = new DatapubError('VERIFY_FAILED', 'http://127.0.0.1:1111/ does not answer', { fault: 'host' })
  const container = createContainer({
    Env: {},
    ProviderRegistry: new ProviderRegistry().register(host(currentUrl)),
    EngineFactory: async () => Promise.reject(new Error('no engine here')),
    Pipeline: { ...defaultPipelineServices(), verifyDeployment: async () => Promise.reject(verifyFailed) },
  })
  return recordEvents(publish({ provider: 'racy', files: ['a.csv'], cwd: work, container }))
}

describe('a verify that fails because a newer publish replaced the deployment', () => {
  it('is DEPLOY_SUPERSEDED naming the URL that serves the name now, not a host failure', async () => {
    const recorded = await run('http://127.0.0.1:2222/')
    expect(recorded.error?.toJSON()).toMatchObject({ code: 'DEPLOY_SUPERSEDED', fault: 'user', details: { current: 'http://127.0.0.1:2222/' } })
  })

  it('stays VERIFY_FAILED when the host still reports this deployment', async () => {
    const recorded = await run('http://127.0.0.1:1111/')
    expect(recorded.error?.toJSON()).toMatchObject({ code: 'VERIFY_FAILED', fault: 'host' })
  })
})
