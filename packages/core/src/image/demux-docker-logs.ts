/**
 * Docker multiplexes stdout and stderr of a non-TTY container into frames with an 8-byte header
 * (stream, 0, 0, 0, size as big-endian uint32). Anything that does not parse is returned as text.
 */
export function demuxDockerLogs(raw: Buffer): string {
  const parts: Buffer[] = []
  let offset = 0
  while (offset + 8 <= raw.length) {
    const stream = raw[offset]
    const size = raw.readUInt32BE(offset + 4)
    if ((stream !== 0 && stream !== 1 && stream !== 2) || raw[offset + 1] !== 0 || offset + 8 + size > raw.length) {
      return raw.toString('utf8')
    }
    parts.push(raw.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return offset === raw.length ? Buffer.concat(parts).toString('utf8') : raw.toString('utf8')
}
