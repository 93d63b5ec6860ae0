import { z } from '@datapub/core/kit'

/** Cloud Run service ids: lower-case letters, digits and hyphens, a letter first, no trailing hyphen, under 50 characters. */
export const SERVICE_NAME_PATTERN = '^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$'
const serviceName = z.string().regex(new RegExp(SERVICE_NAME_PATTERN), 'use lower-case letters, digits and hyphens, start with a letter, no trailing hyphen, under 50 characters')
const labelKey = /^[a-z][a-z0-9_-]{0,62}$/
const labelValue = /^[a-z0-9_-]{0,63}$/

export const cloudrunOptionsSchema = z.object({
  service: serviceName.optional().describe('Cloud Run service to deploy or overwrite (default: the deployment --name)'),
  project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a Google Cloud project id').optional().describe('Google Cloud project (default: GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT, or the credentials\' project)'),
  region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'a Cloud Run region such as us-central1').optional().describe('Cloud Run region (default: CLOUDSDK_RUN_REGION, GOOGLE_CLOUD_REGION, or us-central1)'),
  memory: z.string().regex(/^\d+(Gi|G|Mi|M)$/, 'use a size such as 512Mi or 2Gi').optional().describe('Memory per instance, e.g. 512Mi or 2Gi'),
  cpu: z.enum(['1', '2', '4', '8']).optional().describe('vCPUs per instance: 1, 2, 4 or 8'),
  timeout: z.number().int().min(1).max(3600).optional().describe('Request timeout in seconds (Cloud Run default 300, at most 3600)'),
  minInstances: z.number().int().min(0).max(1000).optional().describe('Minimum number of instances kept warm'),
  maxInstances: z.number().int().min(0).max(1000).default(1).describe('Maximum number of instances; 0 removes the limit (default 1, as datasette publish)'),
  concurrency: z.number().int().min(1).max(1000).optional().describe('Maximum concurrent requests per instance'),
  artifactRepository: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens, starting with a letter').default('datasette').describe('Artifact Registry repository for the image (created when missing)'),
  artifactRegion: z.string().regex(/^[a-z0-9-]+$|^[a-z0-9-]+-docker\.pkg\.dev$/, 'a location such as us or europe-west1, or a *-docker.pkg.dev host').default('us').describe('Artifact Registry location; a value ending in -docker.pkg.dev is used as the host'),
  artifactProject: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a Google Cloud project id').optional().describe('Project owning the Artifact Registry repository (default: --project)'),
  public: z.boolean().default(true).describe('Allow unauthenticated access (allUsers gets roles/run.invoker); use --no-public to keep it private'),
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, 'use NAME=VALUE')).default([]).describe('Plain environment variable for the service: NAME=VALUE (repeatable)'),
  secrets: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_-]{1,255}(:(latest|\d+))?$/, 'use NAME=SECRET or NAME=SECRET:VERSION'))
    .default([])
    .describe('Environment variable read from Secret Manager: NAME=SECRET[:VERSION] (repeatable); also replaces DATASETTE_SECRET or a plugin secret of that name'),
  labels: z
    .array(z.string().refine((s) => { const [k, ...v] = s.split('='); return labelKey.test(k ?? '') && v.length > 0 && labelValue.test(v.join('=')) }, 'use key=value with lower-case letters, digits, _ and -'))
    .default([])
    .describe('Label on the service: key=value (repeatable)'),
  serviceAccount: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^[0-9]+-compute@developer\.gserviceaccount\.com$/, 'a service account email such as reader@my-project.iam.gserviceaccount.com')
    .optional()
    .describe('Service account the revisions run as (unset: whatever the service has, else the Compute Engine default)'),
  keepImages: z.number().int().min(1).max(1000).optional().describe('After a deploy, delete the service\'s images in Artifact Registry beyond the N newest (images a revision still uses are kept)'),
  keyFile: z.string().min(1).optional().describe('Service-account key or ADC JSON file (default: GOOGLE_APPLICATION_CREDENTIALS, then gcloud\'s application_default_credentials.json)'),
  apiUrl: z.url({ protocol: /^https?$/ }).optional().describe('Cloud Run Admin API base URL (default https://run.googleapis.com), for proxies and tests'),
  artifactApiUrl: z.url({ protocol: /^https?$/ }).optional().describe('Artifact Registry API base URL (default https://artifactregistry.googleapis.com)'),
  registryUrl: z.string().regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?\/?$/, 'a registry host[:port] or http(s) URL').optional().describe('Push to this registry instead of Artifact Registry (e.g. 127.0.0.1:5000); the repository is then not created and no Google token is sent'),
  readyTimeout: z.number().int().min(10).max(3600).default(600).describe('Seconds to wait for the new revision to become ready'),
})

export type CloudrunOptions = z.output<typeof cloudrunOptionsSchema>
/** What `providerOptions` takes for `cloudrun` (defaults optional). */
export type CloudrunOptionsInput = z.input<typeof cloudrunOptionsSchema>

// Types `publish({ provider: 'cloudrun', providerOptions })` for anyone who imports this package.
declare module '@datapub/core/kit' {
  interface ProviderOptionsMap {
    cloudrun: CloudrunOptionsInput
  }
}
