/**
 * A push-to-pull bridge: producers `push` synchronously, one consumer drains it with
 * `for await`. Unbounded by design: events are small and the consumer is our own generator.
 */
export class EventChannel<T> {
  private readonly items: T[] = []
  private waiting: (() => void) | undefined
  private closed = false

  push(item: T): void {
    if (this.closed) return
    this.items.push(item)
    this.wake()
  }

  close(): void {
    this.closed = true
    this.wake()
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift() as T
      if (this.closed) return
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
  }

  private wake(): void {
    const wake = this.waiting
    this.waiting = undefined
    wake?.()
  }
}
