import { access } from 'node:fs/promises'
import { credentialsPath } from './google-session.js'
import type { CloudrunOptions } from './options.js'

/** For plan: whether a credentials file is where the publish will look (key file, env, gcloud's ADC file). */
export async function missingCredentials(options: CloudrunOptions, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const file = credentialsPath(options, env)
  if (file !== undefined && (await access(file).then(() => true, () => false))) return undefined
  return `${file === undefined ? 'no credentials file' : `no credentials file at ${file}`}: run \`gcloud auth application-default login\`, set GOOGLE_APPLICATION_CREDENTIALS, or pass --key-file.`
}
