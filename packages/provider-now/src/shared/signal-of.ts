/** Axios request options carrying the signal only when there is one (exactOptional-friendly). */
export function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal }
}
