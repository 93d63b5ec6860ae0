// The built-in providers type `providerOptions` by id once their package is imported (declaration
// merging into ProviderOptionsMap), and the same misspelling is refused at run time.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { planPublish, publish, type DatapubError, type ProviderOptionsOf } from '@datapub/core'
import type { CloudrunOptionsInput } from '@datapub/provider-cloudrun'
import type { HerokuOptionsInput } from '@datapub/provider-heroku'
import type { LocalOptionsInput } from '@datapub/provider-local'
import type { NowOptionsInput, VercelOptionsInput } from '@datapub/provider-now'

describe('providerOptions of the built-in providers', () => {
  it('are typed per provider id', () => {
    expectTypeOf<ProviderOptionsOf<'cloudrun'>>().toEqualTypeOf<CloudrunOptionsInput>()
    expectTypeOf<ProviderOptionsOf<'heroku'>>().toEqualTypeOf<HerokuOptionsInput>()
    expectTypeOf<ProviderOptionsOf<'local'>>().toEqualTypeOf<LocalOptionsInput>()
    expectTypeOf<ProviderOptionsOf<'now'>>().toEqualTypeOf<NowOptionsInput>()
    expectTypeOf<ProviderOptionsOf<'vercel'>>().toEqualTypeOf<VercelOptionsInput>()
    expectTypeOf<ProviderOptionsOf<'datapub-provider-folder'>>().toEqualTypeOf<Record<string, unknown>>()
    const ok = () => publish({ provider: 'cloudrun', files: ['a.csv'], providerOptions: { project: 'my-proj', memory: '1Gi' } })
    // @ts-expect-error `projcet` is not a Cloud Run option
    const typo = () => publish({ provider: 'cloudrun', files: ['a.csv'], providerOptions: { projcet: 'my-proj' } })
    // @ts-expect-error local's network is one of auto, host, bridge
    const wrong = () => planPublish({ provider: 'local', files: ['a.csv'], providerOptions: { network: 'wifi' } })
    expect([ok, typo, wrong].every((f) => typeof f === 'function')).toBe(true)
  })

  it('refuses the misspelling at run time the way the CLI refuses an unknown flag', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'datapub-options-'))
    await writeFile(path.join(dir, 'a.csv'), 'id\n1\n')
    const options: Record<string, unknown> = { projcet: 'my-proj' }
    const error = (await planPublish({ provider: 'cloudrun', files: ['a.csv'], cwd: dir, providerOptions: options }).catch((e: unknown) => e)) as DatapubError
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', path: 'projcet', provider: 'cloudrun' })
    expect(error.message).toContain('Did you mean "project"?')
  })
})
