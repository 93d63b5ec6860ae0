import type { PrunableRule } from './image-report.js'

const PACKAGES = /(?:^|\/)(?:site|dist)-packages\//

/**
 * Which rule, if any, marks a path as build leftover. Bytecode counts only inside site-packages
 * and dist-packages, and only as a cache (`__pycache__/`, `.pyo`): Python regenerates it on
 * import, and for size-limited hosts the 30-50 % it adds to a package tree costs more than the
 * one-off compile at cold start. A `.pyc` beside where its source would be is the code itself
 * (datapub's recipe ships packages sourceless), not a leftover. Interpreter stdlib bytecode is
 * left alone: it belongs to the base image, which compiled it on install.
 * `tests` directories count only inside packages, where nothing imports them at runtime.
 */
export function prunableRule(path: string): PrunableRule | undefined {
  const inPackages = PACKAGES.test(path)
  if (inPackages && (/(?:^|\/)__pycache__\//.test(path) || /\.pyo$/.test(path))) return 'python-bytecode'
  if (/\.(?:c|pyx|pxd)$/.test(path)) return 'c-sources'
  if (/\.pyd$/.test(path)) return 'windows-binaries'
  if (/\.(?:h|hh|hpp)$/.test(path) && (inPackages || /^usr\/(?:local\/)?include\//.test(path) || /^opt\/[^/]+\/include\//.test(path))) return 'headers'
  if (/\.(?:a|la)$/.test(path)) return 'static-libraries'
  if (inPackages && /(?:^|\/)tests\//.test(path)) return 'test-suites'
  if (/(?:^|\/)\.cache\/pip\//.test(path)) return 'pip-cache'
  if (/^var\/lib\/apt\/lists\/[^/]+$/.test(path) && !/\/lock$/.test(path)) return 'apt-cache'
  if (/^var\/cache\/apt\/(?:archives\/[^/]+\.deb|[^/]+\.bin)$/.test(path)) return 'apt-cache'
  return undefined
}
