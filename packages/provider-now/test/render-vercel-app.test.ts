import { describe, expect, it } from 'vitest'
import { parseSettings, renderVercelApp } from '../src/vercel/render-vercel-app.js'
import { EXPECTED_INDEX_PY, EXPECTED_REQUIREMENTS, EXPECTED_VERCEL_JSON } from './expected-vercel-app.js'

const base = { datasette: 'datasette', install: [], metadata: true, inspect: true, templates: false, plugins: false, staticMounts: [], settings: { force_https_urls: true }, crossdb: false }

describe('renderVercelApp', () => {
  it('generates exactly the entry point, vercel.json and requirements', () => {
    expect(renderVercelApp(base, ['data.db'])).toEqual({
      'api/index.py': EXPECTED_INDEX_PY,
      'vercel.json': EXPECTED_VERCEL_JSON,
      'requirements.txt': EXPECTED_REQUIREMENTS,
    })
  })

  it('wires templates, plugins, static mounts, crossdb, the version note and --install packages', () => {
    const files = renderVercelApp(
      { ...base, datasette: 'https://github.com/simonw/datasette/archive/main.zip', install: ['datasette-cluster-map', 'datasette-vega==0.6'], metadata: false, inspect: false, templates: true, plugins: true, staticMounts: ['css', 'js'], crossdb: true, versionNote: 'say "hi"', settings: { sql_time_limit_ms: 3500 } },
      ['a.db', 'b.db'],
    )
    expect(files['requirements.txt']).toBe('https://github.com/simonw/datasette/archive/main.zip\npysqlite3-binary\ndatasette-cluster-map\ndatasette-vega==0.6\n')
    expect(files['api/index.py']).toContain('    immutables=[str(ROOT / "a.db"), str(ROOT / "b.db")],\n    metadata={},\n    template_dir=str(ROOT / "templates"),\n    plugins_dir=str(ROOT / "plugins"),\n')
    expect(files['api/index.py']).toContain('    static_mounts=[("css", str(ROOT / "static" / "css")), ("js", str(ROOT / "static" / "js"))],\n')
    expect(files['api/index.py']).toContain('    settings=json.loads("{\\"sql_time_limit_ms\\":3500}"),\n    crossdb=True,\n    version_note="say \\"hi\\"",\n')
    expect(files['api/index.py']).not.toContain('inspect_data')
    expect(JSON.parse(files['vercel.json']!).functions['api/index.py'].includeFiles).toBe('{a.db,b.db,templates/**,plugins/**,static/**}')
  })

  it('keeps a lone include pattern out of braces, which globs would read literally', () => {
    const files = renderVercelApp({ ...base, metadata: false, inspect: false }, ['data.db'])
    expect(JSON.parse(files['vercel.json']!).functions['api/index.py'].includeFiles).toBe('data.db')
  })

  it('never puts a secret value in any file', () => {
    const files = renderVercelApp(base, ['data.db'])
    expect(Object.values(files).join('\n')).toContain('os.environ["DATASETTE_SECRET"]')
  })

  it('types --setting values as Datasette expects', () => {
    expect(parseSettings([['sql_time_limit_ms', '3500'], ['allow_download', 'off'], ['force_https_urls', 'on'], ['default_cache_ttl', 'x1']])).toEqual({
      sql_time_limit_ms: 3500,
      allow_download: false,
      force_https_urls: true,
      default_cache_ttl: 'x1',
    })
  })
})
