import { now } from './now-provider.js'
import { vercel } from './vercel-provider.js'

export { now, vercel }
export const providers = [now, vercel]
export { nowOptionsSchema, type NowOptions, type NowOptionsInput } from './now-options.js'
export { vercelOptionsSchema, type VercelOptions, type VercelOptionsInput } from './vercel-options.js'
export { renderVercelApp, type VercelAppSpec } from './render-vercel-app.js'
export { checkBundleLimits, type BundleFile, type BundleCheck } from './check-bundle-limits.js'
export { VERCEL_ERAS, type VercelEra } from './vercel-eras.js'
export { now as default }
