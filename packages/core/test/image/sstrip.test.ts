import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRUNE_VENV_SCRIPT } from '../../src/image/prune-venv-script.js'

// The builder helper's sstrip, run by the host's Python on a real ELF executable: the cut file
// must still load and run, and lose its section headers.
describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('prune script sstrip', () => {
  it('drops section headers and what lies past the mapped segments, and the binary still runs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'datapub-sstrip-'))
    const script = path.join(dir, 'prune.py')
    writeFileSync(script, PRUNE_VENV_SCRIPT)
    const binary = path.join(dir, 'ls-copy')
    copyFileSync('/bin/ls', binary)
    const before = statSync(binary).size
    const call = (file: string) => execFileSync('python3', ['-c', 'import importlib.util, sys; spec = importlib.util.spec_from_file_location("p", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); print(m.sstrip(sys.argv[2]))', script, file], { encoding: 'utf8' }).trim()
    const saved = Number(call(binary))
    expect(saved).toBeGreaterThan(0)
    expect(statSync(binary).size).toBe(before - saved)
    const head = readFileSync(binary).subarray(0, 64)
    expect(head.readBigUInt64LE(0x28)).toBe(0n)
    expect(head.readUInt16LE(0x3c)).toBe(0)
    expect(execFileSync(binary, ['/'], { encoding: 'utf8' })).toContain('tmp')
    expect(Number(call(binary))).toBe(0)
    const text = path.join(dir, 'not-elf.so')
    writeFileSync(text, 'not an ELF file at all, but long enough to read a header from it; padding padding')
    expect(Number(call(text))).toBe(0)
    expect(readFileSync(text, 'utf8')).toMatch(/^not an ELF/)
  })
})
