import type { OwnFlag } from './own-flags.js'

/**
 * The flags `import` and `migrate` share: where the deployment goes and what it needs there.
 * `defaultName` says where the target name comes from when --name is not given.
 */
export function targetFlags(defaultName: string): OwnFlag[] {
  return [
    { name: 'to', kind: 'string', help: 'Target provider; its own flags follow (see `datapub publish <provider> --help`)' },
    { name: 'name', kind: 'string', help: `Deployment name on the target (default: ${defaultName})` },
    { name: 'secrets-file', kind: 'string', help: 'JSON or dotenv file with values for the env vars the deployment names (else DATAPUB_SECRET_<NAME> or <NAME>)' },
    { name: 'sources-dir', kind: 'string', help: 'Directory with the recorded input files (build context), for when the image cannot be reused' },
    { name: 'verify-timeout', kind: 'integer', help: 'Seconds the new deployment has to serve the same data (default 120)' },
  ]
}
