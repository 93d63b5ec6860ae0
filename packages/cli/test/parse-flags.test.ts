import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { deriveFlags } from '../src/flags/derive-flags.js'
import { parseFlags } from '../src/flags/parse-flags.js'
import { jsonSchemaOf } from '../src/compute-cli-manifest.js'

const schema = z.object({
  metadata: z.string().optional().describe('Metadata file'),
  licenseUrl: z.string().optional().describe('License URL'),
  static: z.array(z.string()).default([]).describe('Static mounts'),
  pluginSecret: z.array(z.tuple([z.string(), z.string(), z.string()])).default([]).describe('Plugin secret'),
  spatialite: z.boolean().default(false).describe('SpatiaLite'),
  verify: z.boolean().default(true).describe('Verify'),
  port: z.number().int().default(8001).describe('Port'),
  memory: z.number().optional().describe('Memory'),
  network: z.enum(['host', 'bridge']).default('host').describe('Network'),
})
const flags = deriveFlags(jsonSchemaOf(schema) as never, 'common')

describe('deriveFlags', () => {
  it('derives kinds, spellings and help from the schema', () => {
    const by = Object.fromEntries(flags.map((f) => [f.key, f]))
    expect(by.metadata).toMatchObject({ flag: '--metadata', aliases: ['-m'], kind: 'string' })
    expect(by.licenseUrl).toMatchObject({ flag: '--license-url', aliases: ['--license_url'] })
    expect(by.static).toMatchObject({ kind: 'list' })
    expect(by.pluginSecret).toMatchObject({ kind: 'tuple-list', arity: 3, flag: '--plugin-secret' })
    expect(by.port).toMatchObject({ kind: 'integer', default: 8001 })
    expect(by.memory).toMatchObject({ kind: 'number' })
    expect(by.network).toMatchObject({ choices: ['host', 'bridge'] })
    expect(by.spatialite?.description).toBe('SpatiaLite')
  })
})

describe('parseFlags', () => {
  it('parses every kind, both spellings and positionals in any order', () => {
    const parsed = parseFlags(
      ['a.csv', '-m', 'meta.yml', '--license_url=https://x', '--static', 'a:b', 'b.csv', '--static=c:d', '--plugin-secret', 'p', 's', 'v', '--spatialite', '--no-verify', '--port', '9000', '--network', 'bridge', '--', '--odd.csv'],
      flags,
    )
    expect(parsed.positionals).toEqual(['a.csv', 'b.csv', '--odd.csv'])
    expect(parsed.values).toEqual({ metadata: 'meta.yml', licenseUrl: 'https://x', static: ['a:b', 'c:d'], pluginSecret: [['p', 's', 'v']], spatialite: true, verify: false, port: 9000, network: 'bridge' })
  })

  it.each([
    [['--colour'], 'Unknown option --colour'],
    [['--metdata', 'x'], 'Did you mean --metadata?'],
    [['--port', 'x'], 'must be a whole number'],
    [['--port', '1.5'], 'must be a whole number'],
    [['--metadata'], 'needs a value'],
    [['--plugin-secret', 'a', 'b'], 'needs 3 values'],
    [['--network', 'wifi'], 'must be one of host, bridge'],
    [['--metadata', 'a', '--metadata', 'b'], 'given twice'],
    [['--spatialite=maybe'], 'takes no value'],
  ])('refuses %j with a coded error', (argv, message) => {
    expect(() => parseFlags(argv, flags)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(message) }))
  })
})
