# shellcheck shell=bash
# The pinned wheelhouses of real Datasette for the engine tier, the demo and the benches.
# Sourced by scripts/dev-env (needs log, die, STATE, REPO_ROOT, WHEEL_DIR).
# Sets DATASETTE_KIND (real|standin), DATASETTE_VERSION, DATASETTE_WHEELS, DATASETTE_ALPHA_WHEELS.

# shellcheck source=scripts/wheelhouse/platform.sh
source "$REPO_ROOT/scripts/wheelhouse/platform.sh"

# Downloads the files one requirements file pins (hash-checked) into a directory named after
# the file's hash, so a re-pin never mixes with an older set. Prints the directory.
fetch_wheelhouse() {
  local entry=$1 req="$REPO_ROOT/scripts/wheelhouse/requirements-$1.txt" id dir
  [[ -f "$req" ]] || die "missing $req"
  id=$(sha256sum "$req" | cut -c1-12)
  dir="$STATE/wheelhouse/$entry-$id"
  if [[ -f "$dir/.complete" ]]; then echo "$dir"; return 0; fi
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  log "downloading wheelhouse $entry (pinned in scripts/wheelhouse/requirements-$entry.txt)"
  if ! pip download --quiet --no-deps --require-hashes "${WHEELHOUSE_PIP_PLATFORM[@]}" \
      -r "$req" -d "$dir.tmp" >"$STATE/wheelhouse-$entry.log" 2>&1; then
    grep -v '^WARNING: Location' "$STATE/wheelhouse-$entry.log" | tail -n 5 >&2 || true
    rm -rf "$dir.tmp"
    return 1
  fi
  local want have
  want=$(grep -c '^[a-z0-9].*==' "$req")
  have=$(find "$dir.tmp" -maxdepth 1 -name '*.whl' | wc -l)
  [[ "$want" == "$have" ]] || { rm -rf "$dir.tmp"; die "wheelhouse $entry: $have wheels downloaded, $want pinned"; }
  touch "$dir.tmp/.complete"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  echo "$dir"
}

ensure_wheelhouses() {
  DATASETTE_ALPHA_WHEELS=""
  if [[ "${DATAPUB_WHEELHOUSE:-}" != standin ]] && DATASETTE_WHEELS=$(fetch_wheelhouse 0.65); then
    DATASETTE_KIND=real
    DATASETTE_VERSION=$(sed -n 's/^datasette==\([^ ]*\).*/\1/p' "$REPO_ROOT/scripts/wheelhouse/requirements-0.65.txt")
    DATASETTE_ALPHA_WHEELS=$(fetch_wheelhouse 1.0a) || { log "warning: the 1.0 alpha wheelhouse could not be downloaded; its test is skipped"; DATASETTE_ALPHA_WHEELS=""; }
    log "real Datasette $DATASETTE_VERSION wheelhouse in $DATASETTE_WHEELS"
  else
    [[ "${DATAPUB_WHEELHOUSE:-}" == standin ]] || log "warning: no package index answered; images serve the stand-in Datasette (test/fixtures/standin-datasette)"
    DATASETTE_KIND=standin
    DATASETTE_VERSION=0.0.0+standin
    DATASETTE_WHEELS=$WHEEL_DIR
  fi
}
