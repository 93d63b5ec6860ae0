import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'

/**
 * Python's csv module as a reference parser, in one long-lived child process so thousands of
 * files cost one interpreter start. It reads the raw bytes the way csvs-to-sqlite documents
 * (UTF-8, else Latin-1 for the whole file, after the caller dropped one BOM; strict quoting; blank lines
 * skipped) and answers with the rows or the error.
 */
const SCRIPT = String.raw`
import sys, json, csv, io, base64
def read(text, req):
    kw = {"delimiter": req["separator"], "strict": True}
    if req["quoting"] == 3:
        kw["quoting"] = csv.QUOTE_NONE
    else:
        kw["quotechar"] = '"'
        kw["doublequote"] = True
    try:
        return {"rows": [r for r in csv.reader(io.StringIO(text, newline=""), **kw) if len(r) > 0]}
    except csv.Error as e:
        return {"error": "csv", "message": str(e)}
for line in sys.stdin:
    req = json.loads(line)
    data = base64.b64decode(req["bytes"])
    enc = req["encoding"]
    try:
        text = data.decode("latin-1" if enc == "latin1" else "utf-8")
    except UnicodeDecodeError:
        if enc == "auto":
            text = data.decode("latin-1")
        else:
            # What the same bytes hold structurally, for a reader that reports structure first.
            print(json.dumps({"error": "encoding", "latin1": read(data.decode("latin-1"), req)}), flush=True)
            continue
    print(json.dumps(read(text, req)), flush=True)
`

export type OracleAnswer = { rows: string[][] } | { error: 'csv'; message: string } | { error: 'encoding'; latin1: OracleAnswer }

export interface PythonCsvOracle {
  parse(bytes: Buffer, dialect: { separator: string; quoting: 0 | 3; encoding: 'auto' | 'utf8' | 'latin1' }): Promise<OracleAnswer>
  close(): void
}

export function startPythonCsvOracle(): PythonCsvOracle {
  const child: ChildProcessWithoutNullStreams = spawn('python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const waiting: Array<(line: string) => void> = []
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(line))
  let exited = false
  child.on('exit', () => {
    exited = true
    for (const w of waiting.splice(0)) w(JSON.stringify({ error: 'oracle-exited', message: stderr }))
  })
  return {
    parse(bytes, dialect) {
      if (exited) return Promise.reject(new Error(`python csv oracle exited: ${stderr}`))
      return new Promise((resolve, reject) => {
        waiting.push((line) => {
          const answer = JSON.parse(line) as OracleAnswer | { error: 'oracle-exited'; message: string }
          if ('error' in answer && answer.error === 'oracle-exited') reject(new Error(`python csv oracle exited: ${answer.message}`))
          else resolve(answer as OracleAnswer)
        })
        child.stdin.write(JSON.stringify({ bytes: bytes.toString('base64'), ...dialect }) + '\n')
      })
    },
    close() {
      child.stdin.end()
    },
  }
}
