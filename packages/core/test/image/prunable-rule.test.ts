import { describe, expect, it } from 'vitest'
import { prunableRule } from '../../src/image/prunable-rule.js'

const PKG = 'opt/datasette/lib/python3.11/site-packages'

describe('prunableRule and bytecode', () => {
  it('counts bytecode caches in packages, not sourceless modules or the stdlib', () => {
    expect(prunableRule(`${PKG}/jinja2/__pycache__/utils.cpython-311.pyc`)).toBe('python-bytecode')
    expect(prunableRule(`${PKG}/old/module.pyo`)).toBe('python-bytecode')
    expect(prunableRule(`${PKG}/jinja2/utils.pyc`)).toBeUndefined()
    expect(prunableRule('usr/local/lib/python3.11/os.pyc')).toBeUndefined()
    expect(prunableRule('usr/local/lib/python3.11/__pycache__/os.cpython-311.pyc')).toBeUndefined()
  })
})
