#!/bin/sh
# Rebuilds webui/static/vendor/jssip.min.js and jssip.LICENSE.txt from the npm registry, reproducibly:
# `npm ci` fetches exactly the tarballs of scripts/vendor-jssip/package-lock.json and refuses any whose
# sha512 differs from the lock's `integrity`; esbuild (pinned there too) bundles JsSIP with its three
# dependencies. The output is committed, so `make test` needs neither npm nor the network.
# To update: change the versions in scripts/vendor-jssip/package.json, run
#   (cd scripts/vendor-jssip && npm install --package-lock-only --ignore-scripts)
# then this script, and commit the lock and the two files in webui/static/vendor/.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/../webui/static/vendor"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$HERE/vendor-jssip/package.json" "$HERE/vendor-jssip/package-lock.json" "$HERE/vendor-jssip/build.mjs" "$WORK/"
cd "$WORK"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node build.mjs "$OUT/jssip.min.js"
{
  for name in jssip debug events ms sdp-transform; do
    version=$(node -p "require('./node_modules/$name/package.json').version")
    printf '=== %s %s (npm) ===\n\n' "$name" "$version"
    cat "node_modules/$name"/LICENSE* 2>/dev/null || cat "node_modules/$name"/license*
    printf '\n'
  done
} > "$OUT/jssip.LICENSE.txt"
echo "webui/static/vendor/jssip.min.js: JsSIP $(node -p "require('./node_modules/jssip/package.json').version")" >&2
