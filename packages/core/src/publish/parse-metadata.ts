import { parseDocument } from 'yaml'
import { DatapubError } from '../errors/datapub-error.js'

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
  } else {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
    const first = doc.errors[0]
    if (first !== undefined) {
      const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : ''
      throw new DatapubError('METADATA_INVALID', `metadata: ${given} is not valid YAML${where}: ${first.message.split('\n')[0]}`, {
        path: 'metadata',
        hint: 'Fix the YAML at the place named, or write the file as JSON.',
      })
    }
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
  return value as Record<string, unknown>
}
