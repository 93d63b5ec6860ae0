/** Input rules shared by collect and the recipe: what may reach a Dockerfile, a shell or a URL. */

/** A pip requirement by name with optional extras and version specifiers. URLs and options are refused. */
export const PIP_REQUIREMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*\])?(?:(?:==|>=|<=|~=|!=|>|<|===)[A-Za-z0-9.*+!_-]+(?:,(?:==|>=|<=|~=|!=|>|<)[A-Za-z0-9.*+!_-]+)*)?$/
/** Debian package names (policy 5.6.1). */
export const APT_PACKAGE = /^[a-z0-9][a-z0-9.+-]+$/
/** A static mount point: one URL path segment. */
export const STATIC_MOUNT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
export const PLUGIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
export const SETTING_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
/** A git branch or tag as GitHub archive URLs accept it. */
export const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/
export const VERSION = /^[0-9][0-9A-Za-z.+!-]{0,63}$/
/** Control characters and NUL never belong in names we pass on. */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

/** Environment variable name for a plugin secret, as datasette publish derives it. */
export function pluginSecretEnvName(plugin: string, setting: string): string {
  return `${plugin}_${setting}`.toUpperCase().replace(/-/g, '_')
}
