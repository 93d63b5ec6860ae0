import type { BuildContext } from './build-context.js'

/** `--show-files`: the generated Dockerfile and metadata.json, each under a header line, as datasette publish prints them. */
export function showFiles(context: Pick<BuildContext, 'dockerfile' | 'metadata'>): string {
  const parts = [`==== Dockerfile ====\n${context.dockerfile}`]
  if (context.metadata !== undefined) parts.push(`==== metadata.json ====\n${context.metadata}`)
  return `${parts.join('\n')}`
}
