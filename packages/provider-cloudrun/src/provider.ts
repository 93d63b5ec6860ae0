import { defineProvider } from '@datapub/core/kit'
import { checkResources } from './build-service.js'
import { openRuntime, type CloudrunRuntime } from './cloudrun-runtime.js'
import { deployService } from './deploy-service.js'
import { missingCredentials } from './missing-credentials.js'
import { exportService, summarizeService } from './describe-service.js'
import { getService } from './get-service.js'
import { cloudrunOptionsSchema, SERVICE_NAME_PATTERN, type CloudrunOptions } from './options.js'
import { pushTarget } from './push-target.js'
import { rollbackService } from './rollback-service.js'
import { awaitOperation } from './await-operation.js'
import { withQuotaRetry } from './with-quota-retry.js'

const QUOTAS = 'cloud.google.com/run/quotas'

/** Google Cloud Run through the Admin API v2 (REST), images in Artifact Registry; no gcloud. */
export const cloudrun = defineProvider({
  name: 'cloudrun',
  apiVersion: 1,
  title: 'Google Cloud Run',
  description: 'Deploys the image to a Cloud Run service through the Admin API v2, pushing it to Artifact Registry first.',
  options: cloudrunOptionsSchema,
  accepts: 'image',
  missingCredentials,
  limits: {
    requestTimeoutMs: { value: 3_600_000, source: `${QUOTAS}: request timeout up to 3600 s (default 300 s)` },
    memoryBytes: { value: 32 * 2 ** 30, source: `${QUOTAS}: memory up to 32 GiB per instance` },
    namePattern: { value: SERVICE_NAME_PATTERN, source: 'google/cloud/run/v2/service.proto: service_id starts with a letter, no trailing hyphen, under 50 characters' },
    manifestFormats: { value: ['oci', 'docker-v2'], source: 'cloud.google.com/run/docs/container-contract: Docker Image Manifest V2 schema 2 and OCI images' },
    platform: { value: 'linux/amd64', source: 'cloud.google.com/run/docs/container-contract: executables must be compiled for Linux 64-bit' },
  },
  create(context) {
    const options = context.options as CloudrunOptions
    let opened: Promise<CloudrunRuntime> | undefined
    const runtime = (): Promise<CloudrunRuntime> => {
      opened ??= openRuntime({ options, env: context.env, http: context.http, emit: context.emit, logger: context.logger }).catch((error: unknown) => {
        opened = undefined
        throw error
      })
      return opened
    }
    return {
      async checkAuth(signal) {
        checkResources(options)
        const rt = await runtime()
        await rt.session.accessToken()
        // Probes the project: API enabled, permission to read services, region valid.
        await withQuotaRetry(`Listing services in ${rt.parent}`, () => rt.clients.services.listServices({ parent: rt.parent, pageSize: 1 }, { autoPaginate: false }), signal)
        return { account: rt.session.account, project: rt.project, region: rt.region }
      },
      pushTarget: async (input, signal) => pushTarget(await runtime(), input, signal),
      deploy: async (input) => deployService(await runtime(), input),
      async status(id, signal) {
        return summarizeService(await getService(await runtime(), id, signal))
      },
      async list(signal) {
        const rt = await runtime()
        const [services] = await withQuotaRetry(`Listing services in ${rt.parent}`, () => rt.clients.services.listServices({ parent: rt.parent }), signal)
        return services.map(summarizeService).sort((a, b) => a.name.localeCompare(b.name))
      },
      async destroy(id, signal) {
        const rt = await runtime()
        await getService(rt, id, signal)
        const name = rt.serviceName(id)
        const [operation] = await withQuotaRetry(`Deleting service ${id}`, () => rt.clients.services.deleteService({ name }), signal)
        await awaitOperation(rt.clients.services, name, operation, `Deleting service ${id}`, signal, 'delete')
        rt.emit({ type: 'deploy:status', state: 'deleted', message: `deleted Cloud Run service ${id}` })
      },
      rollback: async (id, signal) => rollbackService(await runtime(), id, signal),
      async export(id, signal) {
        const rt = await runtime()
        return exportService(rt, await getService(rt, id, signal), signal)
      },
    }
  },
})
