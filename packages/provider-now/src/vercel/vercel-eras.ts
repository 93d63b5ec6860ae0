const MiB = 1024 * 1024

export interface VercelEraLimits {
  /** Largest function bundle. */
  bundleBytes: number
  /** Whether the host measured the zipped lambda (Now 2.0) or the unpacked function (today). */
  measure: 'compressed' | 'uncompressed'
  /** Largest single uploaded file. */
  fileBytes: number
  source: string
}

/** The function size rules Vercel has had; `--era` picks one, today's by default. */
export const VERCEL_ERAS = {
  'now2-5mb': {
    bundleBytes: 5 * MiB,
    measure: 'compressed',
    fileBytes: 5 * MiB,
    source: 'Now 2.0 default maximum lambda size 5 MB, zipped (zeit.co/blog/customizable-lambda-sizes; zeit/now-builders#43); free plan 5 MB per file (pricing page, July 2018)',
  },
  'now2-50mb': {
    bundleBytes: 50 * MiB,
    measure: 'compressed',
    fileBytes: 50 * MiB,
    source: 'Now 2.0 maxLambdaSize ceiling, fixed at 50 MB from July 2019: "The Serverless Function \'index.py\' is 52.5mb which exceeds the maximum size limit of 50mb" (vercel/docs#985, simonw/til#73); a file cannot exceed its function',
  },
  today: {
    bundleBytes: 250 * MiB,
    measure: 'uncompressed',
    fileBytes: 100 * MiB,
    source: 'Vercel Functions 250 MB uncompressed bundle (vercel.com/docs/functions/limitations, AWS-enforced); 100 MB per uploaded file ("File size limit exceeded (100 MB)", datasette-publish-vercel#40; Hobby static uploads 100 MB)',
  },
} as const satisfies Record<string, VercelEraLimits>

export type VercelEra = keyof typeof VERCEL_ERAS
