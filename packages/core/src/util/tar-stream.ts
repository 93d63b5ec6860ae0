import { lazyRequire } from './lazy-require.js'

/** tar-stream, loaded on the first archive written or read. */
export const tarStream = lazyRequire<typeof import('tar-stream')>('tar-stream')
