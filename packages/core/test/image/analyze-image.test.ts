import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { analyzeImage } from '../../src/image/analyze-image.js'
import { dockerArchive, layerTar, ociArchive, sha256 } from './image-archive-fixture.js'

const PKG = 'opt/v/lib/python3.11/site-packages/pkg'
let layers: Buffer[]
const config = {
  architecture: 'amd64',
  os: 'linux',
  history: [
    { created_by: 'imported base' },
    { created_by: '/bin/sh -c #(nop)  ENV X=1', empty_layer: true },
    { created_by: '/bin/sh -c pip install pkg' },
    { created_by: '/bin/sh -c rm -rf tmp/junk pkg/tests' },
  ],
}

beforeAll(async () => {
  layers = [
    await layerTar([{ path: 'etc/big', size: 5000 }, { path: 'usr/lib/libx.so', size: 1000 }, { path: 'usr/lib/libx.so.1', type: 'symlink' }]),
    await layerTar([
      { path: 'etc/big', size: 200 },
      { path: `${PKG}/__init__.py`, size: 10 },
      { path: `${PKG}/__pycache__/x.cpython-311.pyc`, size: 300 },
      { path: `${PKG}/tests/t.py`, size: 50 },
      { path: 'tmp/junk', size: 700 },
    ]),
    await layerTar([{ path: 'tmp/.wh.junk' }, { path: `${PKG}/.wh.tests` }]),
  ]
})

describe('analyzeImage', () => {
  it('sizes layers, pairs them with their instructions and applies whiteouts (docker save layout)', async () => {
    const report = await analyzeImage(await dockerArchive(layers, config), { baseDiffIds: [sha256(layers[0]!)] })
    expect(report.format).toBe('docker-archive')
    expect(report.layers.map((l) => [l.bytes, l.files, l.createdBy, l.base])).toEqual([
      [6000, 2, 'imported base', true],
      [1260, 5, '/bin/sh -c pip install pkg', false],
      [0, 0, '/bin/sh -c rm -rf tmp/junk pkg/tests', false],
    ])
    expect(report.layers.map((l) => l.diffId)).toEqual(layers.map(sha256))
    expect(report.layers.map((l) => l.tarBytes)).toEqual(layers.map((l) => l.length))
    expect(report.totalBytes).toBe(7260)
    expect(report.largestFiles.map((f) => [f.path, f.bytes, f.layer])).toEqual([
      ['/usr/lib/libx.so', 1000, 0],
      [`/${PKG}/__pycache__/x.cpython-311.pyc`, 300, 1],
      ['/etc/big', 200, 1],
      [`/${PKG}/__init__.py`, 10, 1],
    ])
    expect(report.largestDirectories.slice(0, 3)).toEqual([
      { path: '/usr', bytes: 1000 },
      { path: '/usr/lib', bytes: 1000 },
      { path: '/opt', bytes: 310 },
    ])
    expect(report.overwritten).toEqual([{ path: '/etc/big', bytes: 5000, layers: [0] }])
    expect(report.deleted).toEqual([
      { path: '/tmp/junk', bytes: 700, layer: 1, deletedIn: 2 },
      { path: `/${PKG}/tests/t.py`, bytes: 50, layer: 1, deletedIn: 2 },
    ])
  })

  it('computes wasted bytes and efficiency with dive\'s formulas', async () => {
    const report = await analyzeImage(await dockerArchive(layers, config))
    // etc/big twice (5000 + 200) and tmp/junk added then whited out (700 + 0) are the repeated paths.
    expect(report.wastedBytes).toBe(5200 + 700)
    expect(report.userBytes).toBe(1260)
    expect(report.wastedUserPercent).toBeCloseTo(5900 / 1260, 10)
    // minimum sizes: big 200, libx 1000, __init__ 10, pyc 300, t.py 50, junk 0, the tests dir whiteout 50
    expect(report.efficiency).toBeCloseTo((200 + 1000 + 10 + 300 + 50 + 0 + 50) / (5200 + 1000 + 10 + 300 + 50 + 700 + 50), 10)
  })

  it('finds prunable files and keeps base layers apart', async () => {
    const withBase = await analyzeImage(await dockerArchive(layers, config), { baseDiffIds: [sha256(layers[0]!)] })
    expect(withBase.prunable).toMatchObject({ files: 1, bytes: 300, baseFiles: 0, byRule: [{ rule: 'python-bytecode', files: 1, bytes: 300 }] })
    const baseHasLeftovers = [await layerTar([{ path: 'usr/include/x.h', size: 40 }, { path: 'usr/lib/libz.a', size: 60 }])]
    const report = await analyzeImage(await dockerArchive(baseHasLeftovers, { history: [] }), { baseDiffIds: [sha256(baseHasLeftovers[0]!)] })
    expect(report.prunable).toMatchObject({ files: 0, bytes: 0, baseFiles: 2, baseBytes: 100 })
  })

  it('reads an OCI layout with gzip layers and reports their stored size', async () => {
    const report = await analyzeImage(await ociArchive(layers, config))
    expect(report.format).toBe('oci-layout')
    expect(report.layers.map((l) => l.diffId)).toEqual(layers.map(sha256))
    expect(report.layers.map((l) => [l.compressedBytes, l.compressedEstimated])).toEqual(layers.map((l) => [gzipSync(l).length, false]))
    expect(report.totalBytes).toBe(7260)
    expect(report.wastedBytes).toBe(5900)
  })

  it('follows symlinked layers in docker save archives', async () => {
    const report = await analyzeImage(await dockerArchive(layers.slice(0, 1), { history: [] }, true))
    expect(report.layers).toHaveLength(2)
    expect(report.layers[1]!.diffId).toBe(report.layers[0]!.diffId)
    expect(report.overwritten.map((o) => o.path)).toEqual(['/etc/big', '/usr/lib/libx.so'])
  })

  it('refuses a stream that is not an image', async () => {
    const { Readable } = await import('node:stream')
    await expect(analyzeImage(Readable.from([await layerTar([{ path: 'a', size: 1 }])]))).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' })
  })
})
