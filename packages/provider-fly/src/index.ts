export { fly } from './provider.js'
export { flyOptionsSchema, type FlyOptions } from './options.js'
export { FLY_LIMITS, FLY_NAME_PATTERN, FLY_VOLUME_NAME_PATTERN } from './limits.js'
export { fly as default } from './provider.js'
