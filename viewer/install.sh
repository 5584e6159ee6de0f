#!/usr/bin/env bash
# Installs the viewer's npm packages exactly as package-lock.json pins them,
# once: when node_modules already holds this lockfile's packages nothing is
# fetched, so a build works offline after the first. A lock file keeps two
# build folders (release and test) from installing at the same time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v npm >/dev/null 2>&1; then
  echo "viewer: npm is missing; run 'make deps' (scripts/deps.sh installs Node.js and npm)" >&2
  exit 1
fi
exec 9>".install.lock"
flock 9
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f node_modules/.waymark-lock && "$(cat node_modules/.waymark-lock)" == "$want" ]]; then
  exit 0
fi
echo "viewer: installing npm packages (package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > node_modules/.waymark-lock
