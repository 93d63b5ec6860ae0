# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: makes a fresh machine able to build and test datapub.
# Installs (as root, when missing) the Debian packages the tests use as real peers, pins pnpm,
# installs the workspace and builds it, and puts csvs-to-sqlite (PyPI) in a venv. Idempotent and quiet when everything is present.

DATAPUB_PNPM_VERSION=12.4.2
# chromium drives the publisher app's browser test (playwright-core, no browser download).
DATAPUB_APT_PACKAGES=(sqlite3 sqlite-utils skopeo docker.io docker-registry debootstrap apache2-utils curl openssl chromium)

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

ensure_apt_packages() {
  local missing=()
  for pkg in "${DATAPUB_APT_PACKAGES[@]}" "$@"; do
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

ensure_toolchain() {
  ensure_apt_packages "$@"
  ensure_pnpm
  ensure_workspace
  ensure_csvs_to_sqlite
}
