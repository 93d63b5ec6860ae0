export interface ProviderLabel {
  title: string
  description: string
  /** Plainer descriptions of the provider's own options, shown under "Advanced". */
  options?: Readonly<Record<string, string>>
}

/**
 * How the page names the built-in providers: what a visitor gets, in plain words, instead of
 * the provider's own technical title. Providers not listed here keep their own title and description.
 */
export const PROVIDER_LABELS: Readonly<Record<string, ProviderLabel>> = {
  local: { title: 'This server', description: 'Puts your data online on the computer that runs this page. Good for trying things out: the link works for people who can reach this server.',
    options: {
      network: 'How the site is reached on the server\'s network. Leave it at auto unless the operator says otherwise.',
      hostPort: 'The port the site answers on (default: any free port).',
      publicHost: 'The host name used in the link (default: 127.0.0.1).',
      healthTimeout: 'Seconds the new site has to start answering before the publish counts as failed.',
    },
  },
  heroku: { title: 'Heroku', description: 'Puts your data online as a Heroku app on the account the server was set up with.' },
  cloudrun: { title: 'Google Cloud Run', description: 'Puts your data online on Google Cloud, on the project the server was set up with.' },
  fly: { title: 'Fly.io', description: 'Puts your data online as a Fly.io app on the account the server was set up with.' },
  now: { title: 'Zeit Now (retired)', description: 'The old Zeit Now service. It no longer accepts new sites; kept for servers that still use it.' },
  vercel: { title: 'Vercel', description: 'Puts your data online on Vercel, on the account the server was set up with.' },
}
