/** Container labels are the local provider's whole state: no files to lose or go stale. */
export const LABEL = {
  deployment: 'datapub.deployment',
  port: 'datapub.port',
  url: 'datapub.url',
  envNames: 'datapub.env-names',
  previousImage: 'datapub.previous-image',
  databases: 'datapub.databases',
  options: 'datapub.options',
} as const
