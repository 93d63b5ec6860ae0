# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: makes a fresh machine able to build and run datapub.
# Installs (as root, when missing) the Debian packages the job uses (`ensure_toolchain demo`: an
# engine and what builds base images; `ensure_toolchain test`: also the real peers the tests
# check datapub against, and csvs-to-sqlite from PyPI in a venv), pins pnpm, installs the
# workspace and builds it. Idempotent and quiet
# when everything is present.

DATAPUB_PNPM_VERSION=12.4.2
# The demo: a Docker engine, debootstrap for base images where Docker Hub is unreachable, curl
# for the sample it prints.
DATAPUB_DEMO_APT_PACKAGES=(docker.io debootstrap curl python3)
# Only the tests: sqlite3 and sqlite-utils (data peers), skopeo and docker-registry (registry
# peers), apache2-utils and openssl (registry auth and TLS set-ups), chromium (the publisher
# app's browser test, driven by playwright-core without a browser download).
DATAPUB_TEST_APT_PACKAGES=(sqlite3 sqlite-utils skopeo docker-registry apache2-utils openssl chromium)

# Prints the Debian packages a job needs: `demo` or `test` (the demo's and the tests' own).
toolchain_packages() {
  case "${1:-test}" in
    demo) printf '%s\n' "${DATAPUB_DEMO_APT_PACKAGES[@]}" ;;
    test) printf '%s\n' "${DATAPUB_DEMO_APT_PACKAGES[@]}" "${DATAPUB_TEST_APT_PACKAGES[@]}" ;;
    *) log "unknown toolchain job: $1"; return 1 ;;
  esac
}

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]} (install them as root; tests that use them will fail)"
    return 0
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_pnpm() {
  if [ "$(pnpm --version 2>/dev/null)" != "$DATAPUB_PNPM_VERSION" ]; then
    log "installing pnpm@$DATAPUB_PNPM_VERSION"
    npm install -g --silent "pnpm@$DATAPUB_PNPM_VERSION" >/dev/null 2>&1 || npm install -g "pnpm@$DATAPUB_PNPM_VERSION"
  fi
}

ensure_workspace() {
  log "installing the workspace (pnpm install --frozen-lockfile)"
  # Native addons (better-sqlite3) build against the machine's Node headers: no download.
  npm_config_nodedir="${npm_config_nodedir:-/usr}" pnpm install --frozen-lockfile --reporter=silent
  log "building packages"
  pnpm run -s build
}

# csvs-to-sqlite (PyPI) is the parity oracle of the CSV converter and a peer in bench/. It pins an
# old click and pulls pandas, so it lives in a venv of its own. Tests and bench find it through
# DATAPUB_CSVS_TO_SQLITE (or on PATH) and skip with a message when it is missing.
DATAPUB_CSVS_TO_SQLITE_VERSION=1.3.1
DATAPUB_CSVS_TO_SQLITE_VENV="${DATAPUB_CSVS_TO_SQLITE_VENV:-/var/tmp/datapub-csvs-to-sqlite-$DATAPUB_CSVS_TO_SQLITE_VERSION}"

ensure_csvs_to_sqlite() {
  local bin="$DATAPUB_CSVS_TO_SQLITE_VENV/bin/csvs-to-sqlite"
  if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "$DATAPUB_CSVS_TO_SQLITE_VERSION"; then
    if ! command -v python3 >/dev/null 2>&1; then
      log "python3 is missing: csvs-to-sqlite parity tests and bench peers will be skipped"
      return 0
    fi
    log "installing csvs-to-sqlite==$DATAPUB_CSVS_TO_SQLITE_VERSION into $DATAPUB_CSVS_TO_SQLITE_VENV"
    if ! { python3 -m venv "$DATAPUB_CSVS_TO_SQLITE_VENV" && "$DATAPUB_CSVS_TO_SQLITE_VENV/bin/pip" install -q --disable-pip-version-check "csvs-to-sqlite==$DATAPUB_CSVS_TO_SQLITE_VERSION"; } >&2; then
      log "csvs-to-sqlite could not be installed: its parity tests and bench peers will be skipped"
      return 0
    fi
  fi
  export DATAPUB_CSVS_TO_SQLITE="$bin"
}

# ensure_toolchain demo|test [extra Debian packages...]
ensure_toolchain() {
  local job=${1:-test}
  [ $# -gt 0 ] && shift
  local -a packages
  mapfile -t packages < <(toolchain_packages "$job")
  ensure_apt_packages "${packages[@]}" "$@"
  ensure_pnpm
  ensure_workspace
  if [ "$job" = test ]; then ensure_csvs_to_sqlite; fi
}
