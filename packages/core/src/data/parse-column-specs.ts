import { DatapubError } from '../errors/datapub-error.js'

export interface ShapeColumn {
  csv: string
  db: string
  type?: string
}

export interface ExtractSpec {
  column: string
  table: string
  valueColumn: string
}

const SHAPE_ITEM = /^([^:()]+?)(?::([^()]+?))?(?:\(\s*(real|integer|text|blob|numeric)\s*\))?$/i

/** Parses `--shape 'csvcol:dbcol(TYPE),...'`; dbcol and TYPE are optional. */
export function parseShape(shape: string): ShapeColumn[] {
  return shape.split(',').map((item) => {
    const match = SHAPE_ITEM.exec(item.trim())
    if (!match) {
      throw new DatapubError('CONFIG_INVALID', `--shape: cannot read "${item}"`, {
        path: 'shape',
        hint: 'Use csvcol:dbcol(TYPE) items separated by commas; TYPE is real, integer, text, blob or numeric.',
      })
    }
    const csv = match[1]!.trim()
    const db = (match[2] ?? csv).trim()
    return match[3] === undefined ? { csv, db } : { csv, db, type: match[3].toUpperCase() }
  })
}

/** Parses `--extract-column col[:Table[:value_col]]`; the lookup table defaults to the column name. */
export function parseExtractColumn(spec: string): ExtractSpec {
  const [column = '', table, valueColumn, ...rest] = spec.split(':')
  if (column === '' || rest.length > 0 || table === '' || valueColumn === '') {
    throw new DatapubError('CONFIG_INVALID', `--extract-column: cannot read "${spec}"`, {
      path: 'extractColumn',
      hint: 'Use col, col:Table or col:Table:value_column.',
    })
  }
  return { column, table: table ?? column, valueColumn: valueColumn ?? 'value' }
}
