import { describeProviderConformance } from '@datapub/core/testing'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { cloudrun } from '../src/index.js'
import { ALT, IMAGE, PARENT, SENTINELS, googleError, mockTokenExchange, operation, runApi, serviceJson, writeAdcFile } from './google-api-mock.js'

const { nock } = useHttpMock()
const NAME = `${PARENT}/services/birds`

describeProviderConformance(cloudrun, {
  validOptions: { project: 'datapub-test-1', region: 'us-central1', memory: '2Gi', cpu: '2', maxInstances: 3 },
  invalidOptions: [
    { options: { service: '1birds' }, path: 'service' },
    { options: { service: 'birds-' }, path: 'service' },
    { options: { service: `b${'x'.repeat(49)}` }, path: 'service' },
    { options: { memory: '2GB' }, path: 'memory' },
    { options: { cpu: '3' }, path: 'cpu' },
    { options: { timeout: 4000 }, path: 'timeout' },
    { options: { maxInstances: -1 }, path: 'maxInstances' },
    { options: { secrets: ['DATASETTE_SECRET'] }, path: 'secrets.0' },
    { options: { labels: ['Team=data'] }, path: 'labels.0' },
    { options: { apiUrl: 'ftp://x' }, path: 'apiUrl' },
  ],
  sentinels: SENTINELS,
  badAuth: async () => {
    const keyFile = await writeAdcFile()
    mockTokenExchange(nock, { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } })
    return { options: { keyFile, project: 'datapub-test-1' } }
  },
  lifecycle: {
    async prepare() {
      const keyFile = await writeAdcFile()
      mockTokenExchange(nock)
      const api = runApi(nock)
      // checkAuth probes the project with a one-item list.
      api.get(`/v2/${PARENT}/services`).query({ pageSize: '1', ...ALT }).reply(200, { services: [serviceJson()] })
      // deploy: upsert, one operation poll, IAM read-modify-write.
      // The service is read first: a redeploy changes only what datapub manages.
      api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
      api.patch(`/v2/${NAME}`, (body: { template?: { containers?: Array<{ image?: string }> } }) => body.template?.containers?.[0]?.image === IMAGE).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', false))
      // Operation polls go through gax's operations client, which adds no $alt parameter.
      api.get(`/v2/${PARENT}/operations/op-1`).reply(200, operation('op-1', true, { response: serviceJson() }))
      api.get(`/v2/${NAME}:getIamPolicy`).query(ALT).reply(200, { version: 1, etag: 'BwYAAAA=' })
      api.post(`/v2/${NAME}:setIamPolicy`, { policy: { version: 1, etag: 'BwYAAAA=', bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } }).query(ALT).reply(200, { version: 1, etag: 'BwYAAAB=', bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] })
      // status, list, export (service + policy), destroy (existence check, delete, one poll).
      api.get(`/v2/${NAME}`).query(ALT).times(3).reply(200, serviceJson())
      api.get(`/v2/${PARENT}/services`).query(ALT).reply(200, { services: [serviceJson('other'), serviceJson()] })
      api.get(`/v2/${NAME}:getIamPolicy`).query(ALT).reply(200, { version: 1, etag: 'BwYAAAB=', bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] })
      api.delete(`/v2/${NAME}`).query(ALT).reply(200, operation('op-2', false))
      api.get(`/v2/${PARENT}/operations/op-2`).reply(200, operation('op-2', true, { response: serviceJson() }))
      return {
        options: { keyFile, project: 'datapub-test-1', region: 'us-central1' },
        deploy: { name: 'birds', artifact: { kind: 'image', ref: IMAGE, digest: IMAGE.split('@')[1] }, env: { DATASETTE_SECRET: 'sentinel-datasette-secret-77' }, port: 8001 },
      }
    },
  },
})
