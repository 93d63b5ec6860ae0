export { heroku } from './provider.js'
export { herokuOptionsSchema, type HerokuOptions } from './options.js'
export { HEROKU_LIMITS, HEROKU_NAME_PATTERN } from './limits.js'
export { heroku as default } from './provider.js'
