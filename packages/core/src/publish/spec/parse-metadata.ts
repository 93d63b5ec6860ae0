import { lazyRequire } from '../../util/lazy-require.js'

const yaml = lazyRequire<typeof import('yaml')>('yaml')
import { DatapubError } from '../../errors/datapub-error.js'
import { findLossyJsonNumber, keepsDecimal, lineAndColumn, type LossyNumber } from './find-lossy-number.js'

/** Parses a metadata file as JSON, or YAML when it is not JSON; it must be an object. */
export function parseMetadata(text: string, given: string): Record<string, unknown> {
  const trimmed = text.trimStart()
  let value: unknown
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new DatapubError('METADATA_INVALID', `metadata: ${given} is not valid JSON: ${(error as Error).message}`, {
        path: 'metadata',
        hint: 'Fix the JSON syntax (a JSON linter shows the spot), or write the file as YAML.',
      })
    }
    const lossy = findLossyJsonNumber(text)
    if (lossy !== undefined) throw lossyNumberError(given, lossy)
  } else {
    const doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true })
    const first = doc.errors[0]
    if (first !== undefined) {
      const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : ''
      throw new DatapubError('METADATA_INVALID', `metadata: ${given} is not valid YAML${where}: ${first.message.split('\n')[0]}`, {
        path: 'metadata',
        hint: 'Fix the YAML at the place named, or write the file as JSON.',
      })
    }
    const lossy = findLossyYamlNumber(doc, text)
    if (lossy !== undefined) throw lossyNumberError(given, lossy)
    // A low alias budget refuses "billion laughs" documents instead of expanding them.
    try {
      value = doc.toJS({ maxAliasCount: 100 })
    } catch (error) {
      throw new DatapubError('METADATA_INVALID', `metadata: ${given} could not be read: ${(error as Error).message}`, { path: 'metadata', hint: 'Simplify the YAML (aliases are limited).' })
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatapubError('METADATA_INVALID', `metadata: ${given} must hold an object (keys such as title, databases, plugins)`, {
      path: 'metadata',
      hint: 'Wrap the content in an object: {"title": "..."}.',
    })
  }
  if (depthOf(value) > MAX_DEPTH) {
    throw new DatapubError('METADATA_INVALID', `metadata: ${given} nests deeper than ${MAX_DEPTH} levels`, {
      path: 'metadata',
      hint: 'Datasette metadata is a few levels deep (databases, tables, columns); flatten the file.',
    })
  }
  return value as Record<string, unknown>
}

const DECIMAL = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/

/** The first plain YAML scalar that resolves to a number JavaScript cannot carry unchanged into JSON. */
function findLossyYamlNumber(doc: ReturnType<ReturnType<typeof yaml>['parseDocument']>, text: string): LossyNumber | undefined {
  let found: LossyNumber | undefined
  yaml().visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'number' || typeof node.source !== 'string') return
      const source = node.source
      // Decimals must keep their digits; other spellings (0x1F, 0o17) only need to be exact and finite.
      const kept = DECIMAL.test(source) ? keepsDecimal(source) : Number.isSafeInteger(node.value) || (Number.isFinite(node.value) && !Number.isInteger(node.value))
      if (kept) return
      found = { literal: source, ...lineAndColumn(text, node.range?.[0] ?? 0) }
      return yaml().visit.BREAK
    },
  })
  return found
}

function lossyNumberError(given: string, lossy: LossyNumber): DatapubError {
  return new DatapubError(
    'METADATA_INVALID',
    `metadata: ${given} line ${lossy.line}, column ${lossy.column}: the number ${lossy.literal} cannot be kept exactly (too many digits, out of range, not finite, or a negative zero)`,
    { path: 'metadata', hint: `Quote it ("${lossy.literal}") so every character is kept as text, or write a number a double holds exactly.` },
  )
}

/** Later stages merge and serialise metadata recursively; a very deep file would overflow the stack there. */
const MAX_DEPTH = 64

function depthOf(root: unknown): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[root, 1]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    if (depth > max) max = depth
    if (max > MAX_DEPTH) return max
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return max
}
