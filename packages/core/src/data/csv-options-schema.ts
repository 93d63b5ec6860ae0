import { z } from 'zod'

const name = z.string().min(1)
const sqlType = z.enum(['integer', 'real', 'text', 'blob', 'numeric'])

/**
 * The conversion options with csvs-to-sqlite's meaning (reference/datasette-publish.md section 5).
 * Keys are camelCase; `datapub publish` merges this object into its own flags.
 */
export const csvOptionsSchema = z.object({
  separator: z.string().min(1).optional().describe('Field separator, one character ("\\t" for TSV); default "," (tab for .tsv files)'),
  quoting: z
    .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)])
    .optional()
    .describe('Python csv.QUOTE_* mode: 0 minimal (default), 1 all, 2 non-numeric (unquoted fields must be numbers), 3 none (quotes are literal)'),
  skipErrors: z.boolean().optional().describe('Skip rows with too many fields or NUL bytes instead of failing'),
  replaceTables: z.boolean().optional().describe('Drop and recreate tables that already exist (the default appends)'),
  table: name.optional().describe('Write every CSV into this one table'),
  extractColumn: z.array(name).optional().describe('Move a column into a lookup table: col[:Table[:value_col]] (repeatable)'),
  date: z.array(name).optional().describe('Columns to parse as dates, stored as ISO YYYY-MM-DD (repeatable)'),
  datetime: z.array(name).optional().describe('Columns to parse as datetimes, stored as ISO YYYY-MM-DDTHH:MM:SS (repeatable)'),
  datetimeFormat: z.array(name).optional().describe('strptime formats tried first for date/datetime columns, e.g. %d/%m/%Y (repeatable)'),
  primaryKey: z.array(name).optional().describe('Primary key column; repeat for a compound key'),
  fts: z.array(name).optional().describe('Columns for a full-text index {table}_fts (FTS5, else FTS4) (repeatable)'),
  index: z.array(name).optional().describe('Add an index on a column, or a compound index as a,b (repeatable)'),
  shape: z.string().optional().describe('Keep, rename and type columns: csvcol[:dbcol][(TYPE)],... ; unlisted columns are dropped'),
  filenameColumn: name.optional().describe('Add a column holding the source file name (its table name)'),
  fixedColumn: z.array(z.tuple([name, z.string()])).optional().describe('Add a TEXT column with a constant value: NAME VALUE (repeatable)'),
  fixedColumnInt: z.array(z.tuple([name, z.string()])).optional().describe('Add an INTEGER column with a constant value: NAME VALUE (repeatable)'),
  fixedColumnFloat: z.array(z.tuple([name, z.string()])).optional().describe('Add a REAL column with a constant value: NAME VALUE (repeatable)'),
  noIndexFks: z.boolean().optional().describe('Do not index the foreign key columns made by extract-column'),
  noFulltextFks: z.boolean().optional().describe('Do not add full-text search on extracted lookup values'),
  justStrings: z.boolean().optional().describe('Store every column as TEXT (no type detection)'),
  types: z.record(name, sqlType).optional().describe('Per-column type overrides, column -> integer|real|text|blob|numeric'),
  sniff: z.boolean().optional().describe('Detect the separator and quote from the start of each file'),
  encoding: z
    .enum(['auto', 'utf-8', 'utf8', 'latin-1', 'latin1'])
    .optional()
    .describe('Input encoding; default auto: UTF-8 (with or without BOM), else Latin-1 for that file'),
})

/** Options of csvsToSqlite; every field optional, with csvs-to-sqlite's defaults. */
export interface CsvOptions {
  separator?: string
  quoting?: 0 | 1 | 2 | 3
  skipErrors?: boolean
  replaceTables?: boolean
  table?: string
  extractColumn?: string[]
  date?: string[]
  datetime?: string[]
  datetimeFormat?: string[]
  primaryKey?: string[]
  fts?: string[]
  index?: string[]
  shape?: string
  filenameColumn?: string
  fixedColumn?: Array<[string, string]>
  fixedColumnInt?: Array<[string, string]>
  fixedColumnFloat?: Array<[string, string]>
  noIndexFks?: boolean
  noFulltextFks?: boolean
  justStrings?: boolean
  types?: Record<string, 'integer' | 'real' | 'text' | 'blob' | 'numeric'>
  sniff?: boolean
  encoding?: string
}
