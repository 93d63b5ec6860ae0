export { heroku } from './provider.js'
export { herokuOptionsSchema, type HerokuOptions, type HerokuOptionsInput } from './options.js'
export { HEROKU_LIMITS, HEROKU_NAME_PATTERN, SLUG_LIMIT_BYTES } from './limits.js'
export { heroku as default } from './provider.js'
