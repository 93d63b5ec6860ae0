import { readFile, writeFile } from 'node:fs/promises'
import { DatapubError } from '../errors/datapub-error.js'
import type { DeploymentDescriptor } from '../contract/provider-types.js'
import { assertNoSecretValues } from './assert-no-secret-values.js'
import { parseDescriptor, type ParsedDescriptor } from './descriptor-schema.js'

/** Validates, refuses secret values, then writes; a refused descriptor never touches the disk. */
export async function writeDescriptor(file: string, descriptor: DeploymentDescriptor, options: { secrets?: Iterable<string> } = {}): Promise<ParsedDescriptor> {
  const parsed = parseDescriptor(descriptor, 'the exported descriptor')
  assertNoSecretValues(parsed, options.secrets)
  await writeFile(file, `${JSON.stringify(parsed, null, 2)}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
    throw new DatapubError('MIGRATE_DESCRIPTOR_EXISTS', `${file} already exists.`, { fault: 'user', path: 'descriptor', hint: 'Name a new file; datapub never overwrites files it did not create.' })
  })
  return parsed
}

export async function readDescriptor(file: string): Promise<ParsedDescriptor> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new DatapubError('INPUT_NOT_FOUND', `Cannot read the descriptor ${file}: ${error.code ?? error.message}.`, { path: 'descriptor', hint: 'Write one with `datapub export <provider> <deployment> > file.json`.' })
  })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new DatapubError('MIGRATE_DESCRIPTOR_INVALID', `${file} is not JSON: ${(error as Error).message}.`, { fault: 'user', path: 'descriptor' })
  }
  return parseDescriptor(json, file)
}
