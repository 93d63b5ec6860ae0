import type { CliCommand } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'
import { publishRequestOf } from '../publish-request-of.js'
import { resolveInvocation } from '../resolve-invocation.js'

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'Show every step publish would take, without doing any',
  usage: 'datapub plan <provider> <files...> [options]',
  async run(argv, io) {
    const resolved = await resolveInvocation('plan', argv, io, { common: true, positional: '<files...>' })
    if ('help' in resolved) return io.stdout(resolved.help), EXIT.ok
    const { planPublish } = await import('@datapub/core')
    const plan = await planPublish(await publishRequestOf(resolved, io))
    if (io.json) return io.stdout(`${JSON.stringify(plan)}\n`), EXIT.ok
    for (const warning of plan.warnings) io.stderr(`warning: ${warning}\n`)
    io.stdout(`Plan: publish "${plan.name}" to ${plan.provider.title} (${plan.builder} builder)\n`)
    for (const input of plan.inputs) io.stdout(`  input ${input.path} (${input.kind}, ${input.bytes} bytes)\n`)
    io.stdout(`  databases: ${plan.databases.join(', ')}\n  deploy-time env: ${plan.envNames.join(', ')}\n`)
    for (const step of plan.steps) io.stdout(`  ${step.stage.padEnd(8)} ${step.skipped ? `skip: ${step.skipped}` : step.action}\n`)
    return EXIT.ok
  },
}
