import { DatapubError } from '../errors/datapub-error.js'
import type { ErrorCode, Fault } from '../errors/error-codes.js'
import { abortedError } from './aborted-error.js'
import { backoffDelay } from './backoff-delay.js'
import { sleep } from './sleep.js'

/** What one look at the host found: finished with a value, or not yet, and why not (shown on timeout). */
export type WaitCheck<T> = { done: true; value: T } | { done: false; reason: string }

export interface WaitAttempt {
  /** 1 for the first look. */
  attempt: number
  /** Aborts when the caller cancels or the deadline passes: pass it to the request the check makes. */
  signal: AbortSignal
}

export interface WaitTimeout {
  code?: ErrorCode
  /** Opening sentence; the last reason and the time waited are appended. */
  message?: string
  hint?: string
  fault?: Fault
  provider?: string
}

export interface WaitUntilOptions<T> {
  /** Looks once. Throw to stop waiting for good (a failed release); return `done: false` to look again. */
  check(attempt: WaitAttempt): Promise<WaitCheck<T>> | WaitCheck<T>
  /** Deadline for the whole wait, checks included. */
  timeoutMs: number
  /** Shortest pause between looks (default 250 ms). */
  minDelayMs?: number
  /** Longest pause between looks (default 5 s). */
  maxDelayMs?: number
  signal?: AbortSignal
  /** Told before each pause, e.g. to emit a status event. */
  onWait?(state: { attempt: number; reason: string; delayMs: number }): void
  /** The error a timeout raises (default WAIT_TIMEOUT, fault host). Its message always ends with the last reason. */
  timeout?: WaitTimeout
  /** For tests: the jitter source (default Math.random). */
  random?: () => number
}

/**
 * Polls `check` until it reports done, the deadline passes or the signal aborts, pausing with
 * exponential backoff and jitter between looks (the shape of aws-sdk-js-v3's util-waiter). The
 * first look is immediate. A check still running at the deadline is aborted through its signal.
 */
export async function waitUntil<T>(options: WaitUntilOptions<T>): Promise<T> {
  const minDelayMs = options.minDelayMs ?? 250
  const maxDelayMs = options.maxDelayMs ?? 5000
  const started = Date.now()
  const deadline = started + options.timeoutMs
  const expiry = new AbortController()
  const timer = setTimeout(() => expiry.abort(), Math.max(0, options.timeoutMs))
  timer.unref?.()
  const signal = options.signal === undefined ? expiry.signal : AbortSignal.any([options.signal, expiry.signal])
  let reason = 'no answer yet'
  try {
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw abortedError(options.signal)
      let result: WaitCheck<T>
      try {
        result = await options.check({ attempt, signal })
      } catch (error) {
        if (options.signal?.aborted) throw abortedError(options.signal)
        if (expiry.signal.aborted) throw timedOut(options, started, reason)
        throw error
      }
      if (result.done) return result.value
      reason = result.reason
      const remaining = deadline - Date.now()
      if (remaining <= 0 || expiry.signal.aborted) throw timedOut(options, started, reason)
      const delayMs = Math.min(backoffDelay(attempt, minDelayMs, maxDelayMs, options.random), remaining)
      options.onWait?.({ attempt, reason, delayMs })
      await sleep(delayMs, options.signal)
      if (Date.now() >= deadline) throw timedOut(options, started, reason)
    }
  } finally {
    clearTimeout(timer)
  }
}

function timedOut(options: WaitUntilOptions<unknown>, started: number, reason: string): DatapubError {
  const t = options.timeout ?? {}
  const waited = Math.round((Date.now() - started) / 1000)
  const opening = (t.message ?? 'Gave up waiting').replace(/\.\s*$/, '')
  return new DatapubError(t.code ?? 'WAIT_TIMEOUT', `${opening} after ${waited} s (last: ${reason}).`, {
    fault: t.fault ?? 'host',
    ...(t.hint === undefined ? {} : { hint: t.hint }),
    ...(t.provider === undefined ? {} : { provider: t.provider }),
    details: { timeoutMs: options.timeoutMs, lastReason: reason },
  })
}
