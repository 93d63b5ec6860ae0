// @datapub/core/schemas: the zod schemas behind the options and descriptors, for forms, help and
// validation in apps (the CLI derives its flags from them). Kept off the main entry so that
// importing '@datapub/core' does not load zod.
export { commonOptionsSchema, type CommonOptions, type CommonOptionsInput } from './publish/spec/common-options.js'
export { csvOptionsSchema, type CsvOptions } from './data/csv-options-schema.js'
export { deploymentDescriptorSchema, parseDescriptor, DESCRIPTOR_SCHEMA, type ParsedDescriptor } from './migrate/descriptor-schema.js'
