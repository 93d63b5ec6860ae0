#!/usr/bin/env bash
# Installs datapub as a user would: packs every package (pnpm pack), installs the tarballs with npm
# into a fresh folder outside the workspace, typechecks a strict NodeNext consumer against the
# published declarations, runs it and its provider conformance suite, and runs the installed
# `datapub`. Fails on any npm EBADENGINE warning and on any installed dependency whose `engines`
# excludes the Node floor datapub declares. Run by test/engine/packed-consumer.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fixture="$root/test/fixtures/packed-consumer"
for pkg in packages/*/; do
  [ -f "$pkg/dist/index.d.ts" ] || { echo "packages are not built (run pnpm build): $pkg" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/datapub-packed-XXXXXX")
[ -n "${DATAPUB_KEEP_PACKED:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/app"
# Every package under packages/ (an optional part such as an ECR adapter package included), by
# its own name: "name<TAB>tarball" lines for the consumer's package.json.
for pkg in packages/*/; do
  name=$(node -p "require('./${pkg}package.json').name")
  tarball=$(cd "$pkg" && pnpm pack --pack-destination "$work/tarballs" | tail -1)
  printf '%s\t%s\n' "$name" "$(basename "$tarball")" >>"$work/tarballs.tsv"
done

cp -r "$fixture/src" "$fixture/test" "$fixture/tsconfig.json" "$work/app/"
node - "$work" "$root" <<'NODE'
const fs = require('node:fs'); const path = require('node:path')
const [work, root] = process.argv.slice(2)
const deps = {}
for (const row of fs.readFileSync(path.join(work, 'tarballs.tsv'), 'utf8').trim().split('\n')) {
  const [name, file] = row.split('\t')
  deps[name] = `file:../tarballs/${file}`
}
const ws = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies
const app = {
  name: 'packed-consumer', private: true, type: 'module',
  dependencies: deps,
  // The siblings' `^0.1.0` ranges must resolve to these tarballs, never to a registry lookup.
  overrides: deps,
  devDependencies: { typescript: ws.typescript, '@types/node': ws['@types/node'], vitest: ws.vitest },
}
fs.writeFileSync(path.join(work, 'app', 'package.json'), JSON.stringify(app, null, 2))
NODE

cd "$work/app"
echo "npm install (tarballs: $(ls "$work/tarballs" | tr '\n' ' '))" >&2
# better-sqlite3 builds against this machine's Node headers when no prebuilt binary is reachable.
npm_config_nodedir="${npm_config_nodedir:-/usr}" npm install --no-audit --no-fund --loglevel=warn >"$work/npm.log" 2>&1 || { cat "$work/npm.log" >&2; exit 1; }
if grep -q EBADENGINE "$work/npm.log"; then
  echo "npm warned about engines:" >&2; grep -A3 EBADENGINE "$work/npm.log" >&2; exit 1
fi

# Every package installed for datapub (not the consumer's dev tools) must accept the Node floor.
node "$root/scripts/lib/check-engines.mjs" "$work/app" "@datapub/core" $(cut -f1 "$work/tarballs.tsv" | grep -vx '@datapub/core')

echo "typecheck (strict, NodeNext)" >&2
npx --no-install tsc -p tsconfig.json
ls node_modules/@datapub/core/dist/*.ts >/dev/null
if find node_modules/@datapub -name '*.ts' ! -name '*.d.ts' | grep -q .; then
  echo "a package ships TypeScript sources" >&2; exit 1
fi

echo "run the consumer" >&2
node out/src/main.js
echo "run its provider conformance suite" >&2
npx --no-install vitest run --root . --dir test --reporter=dot

echo "the installed CLI" >&2
version=$(npx --no-install datapub --version)
[ "$version" = "$(node -p "require('$root/packages/cli/package.json').version")" ] || { echo "datapub --version printed '$version'" >&2; exit 1; }
printf 'id,name\n1,robin\n' >some.csv
npx --no-install datapub plan local some.csv --name some >plan.txt
grep -q 'some' plan.txt || { cat plan.txt >&2; exit 1; }
echo "packed consumer ok (datapub $version)" >&2
