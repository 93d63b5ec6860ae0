/**
 * App names are one global namespace and the `<app>.fly.dev` host name: lower-case letters,
 * digits and dashes (flyctl internal/command/launch/plan_builder.go validateAppName); the length
 * cap of a DNS label (63) is ours, not a documented Fly rule.
 */
export const FLY_NAME_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'

/** Volume names: lower-case letters, digits and underscores, at most 30 (flyctl volumes create help). */
export const FLY_VOLUME_NAME_PATTERN = '^[a-z0-9_]{1,30}$'

const SIZING = 'fly.io/docs/machines/guides-examples/machine-sizing'

export const FLY_LIMITS = {
  namePattern: { value: FLY_NAME_PATTERN, source: 'flyctl internal/command/launch/plan_builder.go validateAppName: lower-case letters, numbers and dashes; 63 = one DNS label of <app>.fly.dev (length unconfirmed)' },
  memoryBytes: { value: 16 * 8192 * 2 ** 20, source: `${SIZING}: memory up to 8 GB per performance CPU, 16 CPUs (performance-16x, 128 GB); shared CPUs 2 GB each` },
  manifestFormats: { value: ['docker-v2' as const], source: 'flyctl pushes with the Docker engine (internal/build/imgsrc/docker.go), i.e. Docker v2 schema 2; OCI acceptance by registry.fly.io is unconfirmed' },
  platform: { value: 'linux/amd64', source: 'fly.io/docs/machines/overview: Machines are Firecracker VMs on x86-64 hosts (flyctl builds linux/amd64)' },
  requestTimeoutMs: { value: 60_000, source: 'fly.io/docs/reference/configuration http_options.idle_timeout: the proxy closes a connection idle for 60 s by default (unconfirmed as a hard cap)' },
}
