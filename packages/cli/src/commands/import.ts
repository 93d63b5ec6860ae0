import path from 'node:path'
import { DatapubError } from '@datapub/core/errors'
import type { CliCommand } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'
import type { OwnFlag } from '../flags/own-flags.js'
import { targetFlags } from '../flags/target-flags.js'
import { resolveTargetInvocation } from '../resolve-target-invocation.js'

const FLAGS: OwnFlag[] = [
  ...targetFlags("the descriptor's name"),
  { name: 'verify', kind: 'boolean', help: 'Check the new URL serves the recorded inspect hashes (default on when the descriptor has them)' },
]
const USAGE = 'Usage: datapub import <descriptor.json> --to <provider> [options] [target options]\n'

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Deploy an exported descriptor on another provider (image reused when possible)',
  usage: USAGE,
  async run(argv, io) {
    const resolved = await resolveTargetInvocation('import', argv, io, { flags: FLAGS, usage: USAGE, positional: '<descriptor.json>' })
    if ('help' in resolved) return io.stdout(resolved.help), EXIT.ok
    const { values } = resolved
    const [file, ...extra] = resolved.positionals
    if (file === undefined || extra.length > 0) throw new DatapubError('CONFIG_INVALID', file === undefined ? 'datapub import needs the descriptor file.' : `Unexpected argument "${extra[0]}".`, { path: 'descriptor', hint: USAGE.trim() })
    const core = await import('@datapub/core')
    const descriptor = await core.readDescriptor(path.resolve(io.cwd, file))
    const secrets = typeof values['secrets-file'] === 'string' ? { file: await core.readSecretsFile(path.resolve(io.cwd, values['secrets-file'])) } : {}
    const log = (line: string) => (io.json ? io.stdout(`${JSON.stringify({ type: 'log', level: 'info', message: line })}\n`) : io.stderr(`${line}\n`))
    const imported = await core.importDeployment({
      descriptor,
      to: resolved.definition,
      providerOptions: resolved.providerOptions,
      ...(typeof values.name === 'string' ? { name: values.name } : {}),
      secrets,
      ...(typeof values['sources-dir'] === 'string' ? { sourcesDir: path.resolve(io.cwd, values['sources-dir']) } : {}),
      container: core.createContainer({ ProviderRegistry: resolved.registry, Env: io.env }),
      signal: io.signal,
      onEvent: (event) => {
        if (event.type === 'log') log(event.message)
        else if (event.type === 'deploy:status') log(event.message ?? event.state)
      },
    })
    let verified: string[] | undefined
    if (values.verify !== false && descriptor.databases !== undefined) {
      verified = await core.verifyDeployment(imported.deployment.url, descriptor.databases, { signal: io.signal, timeoutMs: ((values['verify-timeout'] as number | undefined) ?? 120) * 1000 })
    }
    if (io.json) io.stdout(`${JSON.stringify({ type: 'result', ...imported, ...(verified ? { verified } : {}) })}\n`)
    else {
      io.stdout(`Imported ${descriptor.provider}:${descriptor.id} to ${resolved.definition.name} (${imported.path}): ${imported.deployment.url}\n`)
      if (verified) io.stdout(`Verified: ${verified.join(', ')}\n`)
      if (!imported.inputsVerified) io.stdout('Note: rebuilt from a directory the descriptor recorded no hashes for.\n')
    }
    return EXIT.ok
  },
}
