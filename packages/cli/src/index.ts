export { main } from './main.js'
export type { CliCommand, CliIO } from './cli-command.js'
export { EXIT } from './exit-codes.js'
export { printError } from './print-error.js'
