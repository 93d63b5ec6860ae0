import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { DatapubError } from '@datapub/core'
import { createSecretScan } from '../../helpers/secret-scan.js'

// The scan is what every secret test relies on to fail; it must see each form and each surface.
it('finds a sentinel raw, in base64 and url-encoded, in text, errors, their --debug cause and files', async () => {
  const token = 'scan-check-unregistered-7d1e/+='
  const scan = createSecretScan([token])
  scan.text('log', `Authorization: token ${token}`)
  scan.text('event', { header: Buffer.from(`_:${'x'}`).toString('base64'), basic: Buffer.from(token).toString('base64') })
  scan.text('url', `https://h/x?q=${encodeURIComponent(token)}`)
  scan.error('coded error with a leaking cause', new DatapubError('HTTP_ERROR', 'failed', { cause: new Error(`upstream said ${token}`) }))
  const dir = await mkdtemp(path.join(tmpdir(), 'datapub-scan-'))
  try {
    await mkdir(path.join(dir, 'app'))
    await writeFile(path.join(dir, 'app', 'metadata.json'), `{"x":"${token}"}`)
    await scan.tree('context', dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  scan.text('clean', 'nothing here')
  expect(scan.hits().map((h) => `${h.form} @ ${h.where}`)).toEqual([
    'raw @ log',
    'base64 @ event',
    'url-encoded @ url',
    'raw @ coded error with a leaking cause as the CLI prints it with --debug',
    'raw @ coded error with a leaking cause as the CLI prints it with --debug --json',
    'raw @ context/app/metadata.json',
  ])
})
