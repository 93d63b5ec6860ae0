/** Exit codes are public: scripts branch on them. */
export const EXIT = {
  ok: 0,
  /** Bad input, missing auth, anything the user must fix. */
  user: 2,
  /** The host or engine failed; retrying later may help. */
  host: 3,
  /** A bug in datapub or a plugin. */
  internal: 4,
  /** Cancelled (SIGINT). */
  aborted: 130,
} as const
