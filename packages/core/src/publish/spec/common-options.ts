import { z } from 'zod'
import { csvOptionsSchema } from '../../data/csv-options-schema.js'

const text = z.string().trim().min(1)
const httpUrl = z.url({ protocol: /^https?$/ }).describe('an http(s) URL')

/**
 * The options every provider gets, with the meaning `datasette publish` gives them
 * (reference/datasette-publish.md 1.2), plus datapub's build and data options.
 * Keys are camelCase; the CLI derives `--kebab-case` flags (and datasette's `--license_url` spellings).
 */
export const commonOptionsSchema = z.object({
  files: z.array(text).min(1, 'name at least one CSV, TSV or SQLite file').describe('CSV/TSV files, directories of them, or SQLite databases to publish'),
  name: text.optional().describe('Deployment name (container, service or app name); default "datasette"'),
  metadata: text.optional().describe('Metadata file, JSON or YAML'),
  extraOptions: z.string().optional().describe('Extra options for `datasette serve`, split on whitespace'),
  branch: text.optional().describe('Install Datasette from this GitHub branch instead of the released package'),
  datasetteVersion: text.optional().describe('Datasette version to install, e.g. 0.65.1'),
  templateDir: text.optional().describe('Directory of custom templates'),
  pluginsDir: text.optional().describe('Directory of custom plugins'),
  static: z.array(text).default([]).describe('Serve static files: MOUNT:DIRECTORY'),
  install: z.array(text).default([]).describe('Extra Python packages to install, usually plugins'),
  pluginSecret: z
    .array(z.tuple([text, text, z.string()]))
    .default([])
    .describe('Secret plugin setting: PLUGIN SETTING VALUE (repeatable); passed as deploy-time env, never baked into the image'),
  versionNote: z.string().optional().describe('Version note shown on /-/versions'),
  secret: z.string().min(1).optional().describe('Secret for signed cookies (env DATASETTE_PUBLISH_SECRET); random when omitted'),
  title: z.string().optional().describe('Title for metadata'),
  license: z.string().optional().describe('License label for metadata'),
  licenseUrl: httpUrl.optional().describe('License URL for metadata'),
  source: z.string().optional().describe('Source label for metadata'),
  sourceUrl: httpUrl.optional().describe('Source URL for metadata'),
  about: z.string().optional().describe('About label for metadata'),
  aboutUrl: httpUrl.optional().describe('About URL for metadata'),
  databaseName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use letters, digits, - and _ (at most 64)')
    .default('data')
    .describe('Name of the database CSV/TSV files are converted into'),
  baseImage: text.optional().describe('Builder stage base image (env DATAPUB_BASE_IMAGE)'),
  runtimeImage: text.optional().describe('Final stage base image (env DATAPUB_RUNTIME_IMAGE); giving it selects --runtime base'),
  runtime: z
    .enum(['minimal', 'base'])
    .optional()
    .describe('Final stage: minimal (from scratch: Python, the libraries it links, the venv; non-root) or base (the runtime image; chosen for --apt-get-install and --spatialite)'),
  pipIndexUrl: httpUrl.optional().describe('Python package index URL (env DATAPUB_PIP_INDEX_URL)'),
  pipFindLinks: text.optional().describe('Local directory of wheels to install from, offline (env DATAPUB_PIP_FIND_LINKS)'),
  aptGetInstall: z.array(text).default([]).describe('Extra Debian packages for the image'),
  spatialite: z.boolean().default(false).describe('Install SpatiaLite'),
  buildAptGetInstall: z.array(text).optional().describe('Debian packages for the builder stage only, e.g. compilers (repeatable); default gcc and libc6-dev when --install is given'),
  pythonVersion: z.string().regex(/^3\.\d{1,2}$/, 'use a version such as 3.12').optional().describe('Python version of the images (selects python:X-slim-bookworm by default)'),
  port: z.number().int().min(1).max(65535).default(8001).describe('Port the image listens on when $PORT is unset'),
  verify: z.boolean().default(true).describe('After deploying, check that the URL serves the new data (use --no-verify to skip)'),
  verifyTimeout: z.number().int().min(1).max(3600).default(120).describe('Seconds verify waits for the new data to be served'),
  csv: csvOptionsSchema.default({}).describe('CSV/TSV conversion options (csvs-to-sqlite flags)'),
  generateDir: text.optional().describe('Write the build context to this directory and stop'),
  builder: z
    .enum(['engine', 'append'])
    .optional()
    .describe('How image providers get the image: engine (Docker build) or append (data layers written onto a prebuilt runtime image, no build after the first); env DATAPUB_BUILDER, default engine'),
  runtimeRegistry: text
    .optional()
    .describe('Where the append builder keeps runtime images: HOST[:PORT]/REPOSITORY (env DATAPUB_RUNTIME_REGISTRY); default <repository>-runtime beside the provider\'s registry; required for local'),
  showFiles: z.boolean().default(false).describe('Print the generated Dockerfile and metadata'),
})

export type CommonOptionsInput = z.input<typeof commonOptionsSchema>
export type CommonOptions = z.output<typeof commonOptionsSchema>
