import { z } from '@datapub/core/kit'
import { FLY_VOLUME_NAME_PATTERN } from './limits.js'

const hostOrUrl = /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/

export const flyOptionsSchema = z
  .object({
    token: z.string().min(1).optional().describe('Fly.io API token (env FLY_API_TOKEN); `fly tokens create deploy` makes one. Never logged'),
    org: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'an organisation slug such as personal')
      .default('personal')
      .describe('Organisation slug the app is created in and listed from'),
    region: z
      .string()
      .regex(/^[a-z]{3}$/, 'a three-letter Fly region code such as iad or ams')
      .optional()
      .describe('Region for new machines and volumes, e.g. iad, ams, syd (default: Fly chooses; required with --create-volume)'),
    memory: z.number().int().min(256).max(131_072).multipleOf(256, 'memory is set in steps of 256 MB').default(256).describe('Memory per machine in MB, a multiple of 256'),
    cpuKind: z.enum(['shared', 'performance']).default('shared').describe('CPU kind: shared (burstable) or performance (dedicated)'),
    cpus: z.number().int().min(1).max(16).default(1).describe('vCPUs per machine: 1 to 16'),
    machines: z.number().int().min(1).max(20).default(1).describe('Number of machines serving the app'),
    autoStop: z.enum(['off', 'stop', 'suspend']).default('stop').describe('What the Fly proxy does to idle machines: off, stop or suspend'),
    autoStart: z.boolean().default(true).describe('Let the Fly proxy start a stopped machine when a request arrives (--no-auto-start turns it off)'),
    minMachinesRunning: z.number().int().min(0).max(20).default(0).describe('Machines the proxy keeps running when it auto-stops the others'),
    createVolume: z.number().int().min(1).max(500).optional().describe('Create a Fly Volume of this many GB for writable data, as datasette-publish-fly --create-volume'),
    volumeName: z
      .string()
      .regex(new RegExp(FLY_VOLUME_NAME_PATTERN), 'lower-case letters, digits and underscores, at most 30')
      .default('datasette')
      .describe('Name of the volume to create or remount; an existing one is remounted on later publishes'),
    createDb: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/, 'a database name of letters, digits, _ and -')
      .optional()
      .describe('Serve a read-write database of this name from the volume, created on first start, beside the immutable ones'),
    apiUrl: z.url({ protocol: /^https?$/ }).default('https://api.machines.dev').describe('Machines API base URL, for proxies and tests'),
    logsApiUrl: z.url({ protocol: /^https?$/ }).default('https://api.fly.io').describe("Fly's platform API base URL, where a failed machine's last log lines are read (as `fly logs`), for proxies and tests"),
    registryUrl: z
      .string()
      .regex(hostOrUrl, 'a registry host[:port], optionally with http:// or https://')
      .optional()
      .describe('Registry to push to (default registry.fly.io); http:// or a loopback host means plain http'),
    appUrl: z
      .string()
      .regex(/^https?:\/\/[^\s]*\{app\}[^\s]*$/, 'an http(s) URL containing {app}')
      .optional()
      .describe('Public URL of an app with {app} for its name (default https://{app}.fly.dev), for proxies and tests'),
    readyTimeout: z.number().int().min(10).max(3600).default(300).describe('Seconds to wait for every new machine to start and pass its check'),
    pollInterval: z.number().int().min(1).max(60_000).default(1000).describe('Milliseconds between machine status polls'),
  })
  .superRefine((o, ctx) => {
    const perCpu = o.cpuKind === 'shared' ? { min: 256, max: 2048 } : { min: 2048, max: 8192 }
    if (o.memory < perCpu.min * o.cpus || o.memory > perCpu.max * o.cpus) {
      ctx.addIssue({ code: 'custom', path: ['memory'], message: `${o.cpuKind} machines with ${o.cpus} CPU take ${perCpu.min * o.cpus} to ${perCpu.max * o.cpus} MB` })
    }
    if (o.createVolume !== undefined && o.region === undefined) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'a volume lives in one region: pass --region with --create-volume' })
    }
    if ((o.createVolume !== undefined || o.createDb !== undefined) && o.machines > 1) {
      ctx.addIssue({ code: 'custom', path: ['machines'], message: 'a volume attaches to one machine: use --machines 1 with --create-volume or --create-db' })
    }
    if (o.minMachinesRunning > o.machines) {
      ctx.addIssue({ code: 'custom', path: ['minMachinesRunning'], message: 'cannot keep more machines running than --machines' })
    }
  })

export type FlyOptions = z.output<typeof flyOptionsSchema>
