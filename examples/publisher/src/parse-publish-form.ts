import { z } from 'zod'
import { isServerOnlyOption } from './is-server-only-option.js'
import { UploadError } from './upload-error.js'

const label = z.string().trim().max(300).optional()
const url = z
  .string()
  .trim()
  .max(2000)
  .optional()
  .refine((v) => v === undefined || v === '' || /^https?:\/\/[^\s]+$/i.test(v), 'use an http(s) URL')

const formSchema = z.object({
  provider: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'choose a provider'),
  title: label,
  license: label,
  licenseUrl: url,
  source: label,
  sourceUrl: url,
  about: label,
  aboutUrl: url,
  providerOptions: z.string().max(32 * 1024).optional(),
})

export interface PublishForm {
  provider: string
  /** Metadata options for publish(); empty fields left out. */
  options: Record<string, string>
  providerOptions: Record<string, unknown>
}

/** The form's text fields, checked: metadata labels and URLs, the provider id, its options as a JSON object without server-only keys. */
export function parsePublishForm(fields: Record<string, string>): PublishForm {
  const parsed = formSchema.safeParse(fields)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = String(issue?.path[0] ?? 'form')
    throw new UploadError(400, 'FORM_INVALID', `${field}: ${issue?.message ?? 'invalid'}`, 'Correct the field and publish again.', field)
  }
  const { provider, providerOptions: rawOptions, ...metadata } = parsed.data
  const options = Object.fromEntries(Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''))
  let providerOptions: unknown = {}
  if (rawOptions !== undefined && rawOptions.trim() !== '') {
    try {
      providerOptions = JSON.parse(rawOptions)
    } catch {
      throw new UploadError(400, 'FORM_INVALID', 'providerOptions is not JSON.', undefined, 'providerOptions')
    }
  }
  if (typeof providerOptions !== 'object' || providerOptions === null || Array.isArray(providerOptions)) {
    throw new UploadError(400, 'FORM_INVALID', 'providerOptions must be a JSON object.', undefined, 'providerOptions')
  }
  for (const key of Object.keys(providerOptions)) {
    if (isServerOnlyOption(key)) {
      throw new UploadError(400, 'OPTION_SERVER_ONLY', `The option "${key.slice(0, 40)}" is set by the server, not the form.`, 'Credentials and API endpoints come from the server\'s environment.', `providerOptions.${key.slice(0, 40)}`)
    }
  }
  return { provider, options, providerOptions: providerOptions as Record<string, unknown> }
}
