import { describe, expect, it } from 'vitest'
import { parseMetadata } from '../../src/publish/spec/parse-metadata.js'

// Metadata goes JSON/YAML -> JavaScript -> JSON into the image: a number that JavaScript
// cannot carry would reach Datasette changed, with nothing said.
describe('metadata numbers are kept exactly or refused', () => {
  const lossyJson = [
    ['{"n": 12345678901234567890}', '12345678901234567890', 1, 7],
    ['{"a": "1e400", "n":\n  9007199254740993}', '9007199254740993', 2, 3],
    ['{"n": 1e400}', '1e400', 1, 7],
    ['{"n": [1, -0]}', '-0', 1, 11],
    ['{"n": 0.30000000000000000444089209850062616169452667236328125}', '0.30000000000000000444089209850062616169452667236328125', 1, 7],
  ] as const
  it.each(lossyJson)('JSON %s is refused, naming %s and where it is', (text, literal, line, column) => {
    expect(() => parseMetadata(text, 'm.json')).toThrow(
      expect.objectContaining({ code: 'METADATA_INVALID', message: expect.stringContaining(`line ${line}, column ${column}: the number ${literal} `), hint: expect.stringContaining(`"${literal}"`) }),
    )
  })

  const lossyYaml = [
    ['n: 12345678901234567890\n', '12345678901234567890'],
    ['title: t\nn: 1e400\n', '1e400'],
    ['n: .inf\n', '.inf'],
    ['n: 0x20000000000001\n', '0x20000000000001'],
    ['n: 007\n', '007'],
  ] as const
  it.each(lossyYaml)('YAML %j is refused, naming %s', (text, literal) => {
    expect(() => parseMetadata(text, 'm.yml')).toThrow(expect.objectContaining({ code: 'METADATA_INVALID', message: expect.stringContaining(`the number ${literal} `) }))
  })

  it('keeps numbers a double holds, and digits inside strings', () => {
    const json = '{"title": "12345678901234567890", "a": 9007199254740991, "b": -12.5, "c": 0.1, "d": 1e21, "e": 0, "f": "-0 \\" 1e400"}'
    expect(parseMetadata(json, 'm.json')).toEqual({ title: '12345678901234567890', a: 9007199254740991, b: -12.5, c: 0.1, d: 1e21, e: 0, f: '-0 " 1e400' })
    expect(parseMetadata('a: 9007199254740991\nb: 0x1F\nc: 2.5\nd: "12345678901234567890"\n', 'm.yml')).toEqual({ a: 9007199254740991, b: 31, c: 2.5, d: '12345678901234567890' })
  })
})
