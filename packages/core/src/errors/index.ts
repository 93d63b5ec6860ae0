export { ERROR_CODES, type CoreErrorCode, type ErrorCode, type Fault } from './error-codes.js'
export { DatapubError, isDatapubError, type DatapubErrorOptions, type SerializedError } from './datapub-error.js'
export { toDatapubError } from './to-datapub-error.js'
export { redactText } from '../http/redact.js'
