import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BatchSummary, MigrateResult, MigrationPlan } from '@datapub/core'
import { DatapubError } from '@datapub/core/errors'
import type { CliCommand, CliIO } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'
import type { OwnFlag } from '../flags/own-flags.js'
import { targetFlags } from '../flags/target-flags.js'
import { resolveTargetInvocation } from '../resolve-target-invocation.js'

const FLAGS: OwnFlag[] = [
  { name: 'from', kind: 'string', help: 'Source deployment as <provider>:<deployment>' },
  ...targetFlags('the source name'),
  { name: 'apply', kind: 'boolean', help: 'Run the migration; without it only the plan is printed (dry run)' },
  { name: 'switch', kind: 'boolean', help: 'Move aliases or traffic to the new deployment, where the target supports it' },
  { name: 'destroy-source', kind: 'boolean', help: 'Destroy the source after verification passed (default: leave it untouched)' },
  { name: 'from-options', kind: 'string', help: 'Source provider options as JSON; with --batch, keyed by provider id' },
  { name: 'batch', kind: 'string', help: 'File listing deployments (<provider>:<deployment> [name] per line, or JSON)' },
  { name: 'concurrency', kind: 'integer', help: 'With --batch: migrations in flight at once (default 4)' },
  { name: 'journal', kind: 'string', help: 'With --batch: SQLite journal; rerun with the same one to resume (default <list>.journal.sqlite)' },
]

const USAGE = 'Usage: datapub migrate --from <provider>:<deployment> --to <provider> [options] [target options]\n       datapub migrate --batch <list> --to <provider> [--concurrency N] [options] [target options]\n'

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Move a deployment (or a list of them) to another provider: plan, then --apply',
  usage: USAGE,
  async run(argv, io) {
    const resolved = await resolveTargetInvocation('migrate', argv, io, { flags: FLAGS, usage: USAGE, positional: '', intro: "Dry run by default: every step is printed and the target's limits checked; --apply runs it.\n\n" })
    if ('help' in resolved) return io.stdout(resolved.help), EXIT.ok
    const { values } = resolved
    if (resolved.positionals.length > 0) throw new DatapubError('CONFIG_INVALID', `Unexpected argument "${resolved.positionals[0]}".`, { hint: USAGE.trim() })
    const core = await import('@datapub/core')
    const container = core.createContainer({ ProviderRegistry: resolved.registry, Env: io.env })
    const secrets = { ...(typeof values['secrets-file'] === 'string' ? { file: await core.readSecretsFile(path.resolve(io.cwd, values['secrets-file'])) } : {}) }
    const fromOptions = typeof values['from-options'] === 'string' ? parseJsonObject(values['from-options'], 'from-options') : undefined
    const shared = {
      to: { provider: resolved.definition, providerOptions: resolved.providerOptions },
      apply: values.apply === true,
      switch: values.switch === true,
      destroySource: values['destroy-source'] === true,
      secrets,
      ...(typeof values['sources-dir'] === 'string' ? { sourcesDir: path.resolve(io.cwd, values['sources-dir']) } : {}),
      verifyTimeoutMs: ((values['verify-timeout'] as number | undefined) ?? 120) * 1000,
      container,
      signal: io.signal,
    }
    const log = (line: string) => (io.json ? undefined : io.stderr(`${line}\n`))

    if (typeof values.batch === 'string') {
      if (values.from !== undefined) throw new DatapubError('CONFIG_INVALID', '--batch and --from exclude each other.', { path: 'from' })
      const list = path.resolve(io.cwd, values.batch)
      const text = await readFile(list, 'utf8').catch((error: NodeJS.ErrnoException) => Promise.reject(new DatapubError('INPUT_NOT_FOUND', `Cannot read ${values.batch}: ${error.code ?? error.message}.`, { path: 'batch' })))
      const summary = await core.migrateBatch({
        ...shared,
        to: { provider: resolved.definition, providerOptions: resolved.providerOptions },
        items: core.parseBatchList(text, values.batch),
        journal: typeof values.journal === 'string' ? path.resolve(io.cwd, values.journal) : `${list}.journal.sqlite`,
        concurrency: (values.concurrency as number | undefined) ?? 4,
        ...(fromOptions === undefined ? {} : { fromOptions: fromOptions as Record<string, Record<string, unknown>> }),
        onItem: (key, event, detail) => log(`${key}  ${event}${detail ? `  ${detail}` : ''}`),
      })
      printSummary(summary, io)
      return summary.items.some((i) => i.state !== 'migrated' && i.state !== 'planned') ? EXIT.user : EXIT.ok
    }

    if (typeof values.from !== 'string') throw new DatapubError('CONFIG_INVALID', 'datapub migrate needs --from <provider>:<deployment> (or --batch <list>).', { path: 'from', hint: USAGE.trim() })
    const from = core.splitRef(values.from)
    const result = await core.migrateDeployment({
      ...shared,
      from: { ...from, ...(fromOptions === undefined ? {} : { providerOptions: fromOptions }) },
      to: { ...shared.to, ...(typeof values.name === 'string' ? { name: values.name } : {}) },
      onStep: (step, state, detail) => log(`${state === 'start' ? '…' : state === 'done' ? '✓' : '-'} ${step.padEnd(15)}${detail}`),
      onEvent: (event) => {
        if (event.type === 'log') log(`  ${event.message}`)
        else if (event.type === 'deploy:status') log(`  ${event.message ?? event.state}`)
      },
    })
    printResult(result, io)
    return result.kind === 'planned' && result.plan.problems.length > 0 ? EXIT.user : EXIT.ok
  },
}

function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // reported below
  }
  throw new DatapubError('CONFIG_INVALID', `--${flag} takes a JSON object, e.g. '{"apiUrl":"https://..."}'.`, { path: flag })
}

export function renderPlan(plan: MigrationPlan): string {
  const lines = [`Plan: ${plan.from.provider}:${plan.from.id} → ${plan.to.provider} (${plan.to.name})`]
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.step.padEnd(15)}${s.skip ? '(skipped) ' : ''}${s.action}`))
  for (const w of plan.warnings) lines.push(`  warning: ${w}`)
  for (const p of plan.problems) lines.push(`  problem: ${p}`)
  return `${lines.join('\n')}\n`
}

function printResult(result: MigrateResult, io: CliIO): void {
  if (io.json) return io.stdout(`${JSON.stringify({ type: 'result', ...result })}\n`)
  io.stdout(renderPlan(result.plan))
  if (result.kind === 'planned') {
    io.stdout(result.plan.problems.length > 0 ? 'Dry run: nothing changed. Fix the problems above, then add --apply.\n' : 'Dry run: nothing changed. Add --apply to run it.\n')
    return
  }
  io.stdout(`Migrated to ${result.deployment.url} (${result.importPath}).\n`)
  if (result.comparison) io.stdout(`Verified: ${Object.keys(result.comparison.source).length} database(s) serve the same hash and row counts.\n`)
  io.stdout(result.sourceDestroyed ? `The source ${result.descriptor.provider}:${result.descriptor.id} was destroyed.\n` : `The source ${result.descriptor.provider}:${result.descriptor.id} is untouched.\n`)
}

function printSummary(summary: BatchSummary, io: CliIO): void {
  if (io.json) return io.stdout(`${JSON.stringify({ type: 'result', ...summary })}\n`)
  const rows = summary.items.map((i) => [i.from, i.skipped ? 'migrated (earlier run)' : i.state, String(i.attempts), i.step ?? '', i.url ?? (i.errorCode ? `${i.errorCode}: ${i.error ?? ''}` : (i.plan?.problems.join('; ') ?? ''))])
  const header = ['SOURCE', 'STATE', 'TRIES', 'STEP', 'URL / ERROR']
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
  for (const row of [header, ...rows]) io.stdout(`${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('')}\n`)
  io.stdout(`\n${Object.entries(summary.counts).map(([k, v]) => `${v} ${k}`).join(', ')}${summary.applied ? `; journal ${summary.journal}` : '; dry run, add --apply to run it'}\n`)
}
