import { IMAGE_PATHS, type RecipeInput } from './recipe-input.js'

/**
 * The `datasette serve` argv inside the image, without the trailing `--port`, in the order
 * `datasette publish` uses (reference/datasette-publish.md 2.1), so its documentation applies.
 */
export function serveArgs(input: RecipeInput): string[] {
  const args = ['datasette', 'serve', '--host', '0.0.0.0']
  for (const db of input.databases) args.push('-i', db)
  args.push('--cors', '--inspect-file', IMAGE_PATHS.inspectFile)
  if (input.metadata) args.push('--metadata', IMAGE_PATHS.metadataFile)
  if (input.templates) args.push('--template-dir', IMAGE_PATHS.templatesDir)
  if (input.plugins) args.push('--plugins-dir', IMAGE_PATHS.pluginsDir)
  if (input.versionNote !== undefined) args.push('--version-note', input.versionNote)
  for (const mount of input.staticMounts) args.push('--static', `${mount}:${IMAGE_PATHS.staticDir}/${mount}`)
  args.push(...input.extraOptions, ...input.serveOptions)
  return args
}
