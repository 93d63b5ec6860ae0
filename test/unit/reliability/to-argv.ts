const kebab = (key: string) => key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)

/** The CLI spelling of a library request: files first, then `--flag value` per option (repeated for lists, N values for tuples). */
export function toArgv(files: string[], ...optionSets: Array<Record<string, unknown>>): string[] {
  const argv = [...files]
  for (const options of optionSets) {
    for (const [key, value] of Object.entries(options)) {
      const flag = `--${kebab(key)}`
      if (typeof value === 'boolean') argv.push(value ? flag : `--no-${kebab(key)}`)
      else if (Array.isArray(value)) for (const item of value) argv.push(flag, ...(Array.isArray(item) ? item.map(String) : [String(item)]))
      else argv.push(flag, String(value))
    }
  }
  return argv
}
