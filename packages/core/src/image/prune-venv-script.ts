import { ASSEMBLE_PART } from './builder-script/assemble-part.js'
import { PRUNE_PART } from './builder-script/prune-part.js'
import { STDLIB_CLOSURE_PART } from './builder-script/stdlib-closure-part.js'

/**
 * The builder stage's helper, written to the context as build/prune-venv.py (the name predates
 * `assemble`; the append builder's runtime contexts carry this one file, so it stays one file).
 *
 * `prune VENV` runs with the venv's own Python (stdlib only) after pip. It removes pip,
 * setuptools and wheel unless an installed distribution declares one of them a dependency
 * (real Datasette 0.x requires pip and setuptools at runtime for `datasette install` and
 * pkg_resources), then deletes what serves no purpose at runtime: C/Cython sources, headers,
 * static libraries, Windows binaries, bytecode caches and dependencies' `tests` packages.
 *
 * `assemble VENV ROOTFS` runs in the `assemble` stage of the minimal runtime. Python itself says
 * where its executable, stdlib and extension modules are (sys.executable, sysconfig), so the
 * same code serves Debian's /usr/bin/python3.11 and python:3.x-slim's /usr/local; `ldd` of every
 * ELF file gives the shared libraries and the loader. Both commands print what they did, so the
 * build log explains the size.
 */
const DOC = `"""Builder-stage helper written by datapub; never part of the final image.

prune VENV            remove build leftovers from the venv.
assemble VENV ROOTFS  copy into ROOTFS what the venv needs to run on an empty (scratch) image.
"""
`

// One file in the build context (the append builder's runtime contexts carry just this file), written from three parts.
export const PRUNE_VENV_SCRIPT = [DOC, PRUNE_PART, STDLIB_CLOSURE_PART, ASSEMBLE_PART].join('\n\n')
