export { cloudrun } from './provider.js'
export { cloudrunOptionsSchema, type CloudrunOptions, type CloudrunOptionsInput } from './options.js'
export { googleCredentials, type AccessTokenSource } from './google-credentials.js'
export { cloudrun as default } from './provider.js'
