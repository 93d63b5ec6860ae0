import { describe, expect, it } from 'vitest'
import { parseDate } from '../../src/data/index.js'

describe('parseDate', () => {
  it.each([
    ['2021-02-03', 'date', [], '2021-02-03'],
    ['2021-02-03T04:05:06Z', 'datetime', [], '2021-02-03T04:05:06+00:00'],
    ['2/3/2021', 'date', [], '2021-02-03'],
    ['13/3/2021', 'date', [], '2021-03-13'],
    ['3 Feb 2021 5:06 pm', 'datetime', [], '2021-02-03T17:06:00'],
    ['February 3rd, 2021', 'date', [], '2021-02-03'],
    ['03.02.21', 'date', ['%d.%m.%y'], '2021-02-03'],
    ['2021-02-30', 'date', [], undefined],
    ['soon', 'date', [], undefined],
  ] as const)('%s as %s', (input, kind, formats, expected) => {
    expect(parseDate(input, kind, [...formats])).toBe(expected)
  })
})
