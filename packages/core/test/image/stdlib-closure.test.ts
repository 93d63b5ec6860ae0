import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRUNE_VENV_SCRIPT } from '../../src/image/prune-venv-script.js'

// The assemble step keeps the stdlib modules some import can reach. Run by the host's Python on a
// made-up stdlib and venv, so each way a module is reached (or not) is one file.
describe('prune script: the stdlib modules the server can reach', () => {
  function tree(root: string, files: Record<string, string>) {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
      writeFileSync(path.join(root, name), text)
    }
  }

  function needed(venvFiles: Record<string, string>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'datapub-closure-'))
    const script = path.join(dir, 'prune.py')
    writeFileSync(script, PRUNE_VENV_SCRIPT)
    const stdlib = path.join(dir, 'lib/python3.11')
    tree(stdlib, {
      'lazy.py': 'def f():\n    import deep\n',
      'deep.py': 'from . import nothing\n',
      'pkg/__init__.py': '',
      'pkg/sub.py': 'import viasub\n',
      'viasub.py': '',
      'unreached.py': 'import alsounreached\n',
      'alsounreached.py': '',
      'pydoc.py': 'import onlybypydoc\n',
      'onlybypydoc.py': '',
      '_sysconfigdata__linux.py': '',
      'lib-dynload/_cext.cpython-311-x86_64-linux-gnu.so': '',
      'lib-dynload/_unusedext.cpython-311-x86_64-linux-gnu.so': '',
    })
    const venv = path.join(dir, 'venv')
    tree(path.join(venv, 'lib/python3.11/site-packages'), venvFiles)
    // No bin/python in the made-up venv: the start-up probe finds nothing, as with a broken venv.
    const code = 'import importlib.util, sys, json; spec = importlib.util.spec_from_file_location("p", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); c = m.stdlib_modules(sys.argv[3], sys.argv[3] + "/lib-dynload") - m.STDLIB_DROP; print(json.dumps({"candidates": sorted(c), "needed": sorted(m.stdlib_needed(sys.argv[2], sys.argv[3], c))}))'
    return JSON.parse(execFileSync('python3', ['-c', code, script, venv, stdlib], { encoding: 'utf8' })) as { candidates: string[]; needed: string[] }
  }

  it('follows imports from the venv through stdlib packages and function bodies, and stops at what nothing reaches', () => {
    const { candidates, needed: kept } = needed({ 'app/__init__.py': 'import lazy\nfrom pkg import sub\nimport _cext\nfrom .local import x\n' })
    expect(candidates).not.toContain('_sysconfigdata__linux')
    expect(candidates).not.toContain('pydoc')
    expect(kept).toEqual(expect.arrayContaining(['lazy', 'deep', 'pkg', 'viasub', '_cext']))
    expect(kept).not.toContain('unreached')
    expect(kept).not.toContain('alsounreached')
    expect(kept).not.toContain('_unusedext')
    // pydoc is dropped whatever imports it, so what only pydoc imports is not kept for it.
    expect(kept).not.toContain('onlybypydoc')
  })

  it('reads imports from bytecode too (the venv is sourceless by the time assemble runs)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'datapub-closure-pyc-'))
    writeFileSync(path.join(dir, 'mod.py'), 'def later():\n    import unreached\n')
    execFileSync('python3', ['-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[1] + "c")', path.join(dir, 'mod.py')])
    const script = path.join(dir, 'prune.py')
    writeFileSync(script, PRUNE_VENV_SCRIPT)
    const code = 'import importlib.util, sys; spec = importlib.util.spec_from_file_location("p", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); print(sorted(m.absolute_imports(sys.argv[2])))'
    expect(execFileSync('python3', ['-c', code, script, path.join(dir, 'mod.pyc')], { encoding: 'utf8' }).trim()).toBe("['unreached']")
  })
})
