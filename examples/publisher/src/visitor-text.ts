// An environment variable name: capitals and digits with at least one underscore (DOCKER_HOST,
// HEROKU_API_KEY), optionally written as $NAME. Error codes never reach this (they are separate fields).
const SETTING_NAME = /\$?\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g

/**
 * Text for the page: the names of the operator's settings replaced by plain words. Visitors
 * cannot change the server's environment, and its variable names tell an outsider which
 * credentials the server holds.
 */
export function forVisitors(text: string, envNames: Iterable<string> = []): string {
  let out = text.replace(SETTING_NAME, 'a server setting')
  for (const name of envNames) if (name.length >= 4 && /^[A-Z][A-Z0-9_]*$/.test(name) && out.includes(name)) out = out.replace(new RegExp(`\\$?\\b${name}\\b`, 'g'), 'a server setting')
  return out
}
