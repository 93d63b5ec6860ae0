/**
 * Built-in providers by name, as lazy imports of their packages: nothing loads (no SDK, no zod
 * schema) until a provider is used. Titles are here so `datapub providers` needs no import.
 */
export const BUILTIN_PROVIDERS: Record<string, { packageName: string; title: string }> = {
  local: { packageName: '@datapub/provider-local', title: 'Local Docker engine' },
  cloudrun: { packageName: '@datapub/provider-cloudrun', title: 'Google Cloud Run' },
  heroku: { packageName: '@datapub/provider-heroku', title: 'Heroku' },
  fly: { packageName: '@datapub/provider-fly', title: 'Fly.io (Machines API)' },
  now: { packageName: '@datapub/provider-now', title: 'Zeit Now v1 (retired host)' },
  vercel: { packageName: '@datapub/provider-now', title: 'Vercel (Now 2.0)' },
}
