import { now } from './now/now-provider.js'
import { vercel } from './vercel/vercel-provider.js'

export { now, vercel }
export const providers = [now, vercel]
export { nowOptionsSchema, type NowOptions, type NowOptionsInput } from './now/now-options.js'
export { vercelOptionsSchema, type VercelOptions, type VercelOptionsInput } from './vercel/vercel-options.js'
export { renderVercelApp, type VercelAppSpec } from './vercel/render-vercel-app.js'
export { checkBundleLimits, type BundleFile, type BundleCheck } from './vercel/check-bundle-limits.js'
export { VERCEL_ERAS, type VercelEra } from './vercel/vercel-eras.js'
export { now as default }
