/** The descriptor format this core reads and writes. */
export const DESCRIPTOR_SCHEMA = 'datapub.deployment/v1' as const
