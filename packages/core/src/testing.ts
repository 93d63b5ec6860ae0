// @datapub/core/testing: helpers for provider tests (vitest is a peer dependency of this entry).
export { createFakeContext, type FakeContext, type FakeContextOptions } from './testing/create-fake-context.js'
export { recordEvents, type RecordedRun } from './testing/record-events.js'
export { describeProviderConformance, type ConformanceSetup, type ConformanceLifecycle } from './testing/describe-provider-conformance.js'
export { createTestSpec } from './testing/create-test-spec.js'
// The pipeline's stage implementations, for a test that replaces one through createContainer({ Pipeline }).
export { defaultPipelineServices, type PipelineServices } from './publish/stages/pipeline-services.js'
