/** A refused request, with a stable code, the field at fault and what to do about it. */
export class UploadError extends Error {
  override readonly name = 'UploadError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly field?: string,
  ) {
    super(message)
  }

  toJSON(): { code: string; message: string; hint?: string; field?: string } {
    return { code: this.code, message: this.message, ...(this.hint === undefined ? {} : { hint: this.hint }), ...(this.field === undefined ? {} : { field: this.field }) }
  }
}
