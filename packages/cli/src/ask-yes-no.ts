import { createInterface } from 'node:readline/promises'

/** Asks on the terminal (question on stderr, so stdout stays data); only "y" or "yes" agrees. */
export async function askYesNo(question: string, signal: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal })
    return /^(y|yes)$/i.test(answer.trim())
  } catch {
    return false
  } finally {
    rl.close()
  }
}
