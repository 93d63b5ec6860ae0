/**
 * Runs `task` over `items` with at most `limit` in flight, keeping the input order in the result.
 * The first failure stops new tasks from starting and is rethrown after in-flight ones settle.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failed: { error: unknown } | undefined
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const index = next++
      try {
        results[index] = await task(items[index] as T, index)
      } catch (error) {
        failed ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker))
  if (failed !== undefined) throw failed.error
  return results
}
