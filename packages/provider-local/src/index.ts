export { local } from './provider.js'
export { localOptionsSchema, type LocalOptions, type LocalOptionsInput } from './options.js'
export { local as default } from './provider.js'
