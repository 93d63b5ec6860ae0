import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * What the image's CMD would run, evaluated by a real /bin/sh: the Dockerfile's CMD is
 * `["/bin/sh", "-c", "exec datasette serve ... --port \"$PORT\""]`; swapping the leading `exec`
 * for `printf '%s\0'` prints each argument the shell would have passed, after every expansion
 * the shell performs. Any injected command would run here too, inside `cwd`.
 */
export async function serveArgvOf(dockerfile: string, cwd: string): Promise<string[]> {
  const cmdLine = dockerfile.split('\n').find((line) => line.startsWith('CMD '))
  if (cmdLine === undefined) throw new Error('the Dockerfile has no CMD')
  const argv = JSON.parse(cmdLine.slice(4)) as unknown
  if (!Array.isArray(argv) || argv.length !== 3 || argv[0] !== '/bin/sh' || argv[1] !== '-c' || typeof argv[2] !== 'string') {
    throw new Error(`CMD is not the recipe's ["/bin/sh","-c",...] form: ${cmdLine}`)
  }
  const script = argv[2]
  if (!script.startsWith('exec ')) throw new Error(`the CMD script does not start with exec: ${script}`)
  const { stdout } = await run('/bin/sh', ['-c', `printf '%s\\0' ${script.slice(5)}`], { cwd, env: { PORT: '8001', PATH: '/usr/bin:/bin' }, timeout: 5000 })
  return stdout.split('\0').slice(0, -1)
}

/** The Dockerfile's instructions (continuations joined, comments dropped) as [keyword, rest]. */
export function dockerInstructions(dockerfile: string): Array<[string, string]> {
  const logical: string[] = []
  let pending = ''
  for (const line of dockerfile.split('\n')) {
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)}\n`
    else {
      logical.push(pending + line)
      pending = ''
    }
  }
  if (pending !== '') logical.push(pending)
  return logical.map((l) => {
    const at = l.indexOf(' ')
    return [l.slice(0, at), l.slice(at + 1)]
  })
}
