export { ecrCredentials, type EcrCredentials, type EcrOptions } from './ecr-credentials.js'
