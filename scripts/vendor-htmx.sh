#!/usr/bin/env bash
# Refreshes the embedded htmx from the npm registry at the pinned version and
# checks its digest. htmx is served from the binary: the closed network a
# town hall works on (LGWAN) reaches no CDN.
set -euo pipefail
version=2.0.11
sha256=d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm pack --silent "htmx.org@$version" >/dev/null && tar xzf "htmx.org-$version.tgz")
echo "$sha256  $dir/package/dist/htmx.min.js" | sha256sum -c -
cp "$dir/package/dist/htmx.min.js" "$(dirname "$0")/../internal/web/static/htmx.min.js"
cp "$dir/package/LICENSE" "$(dirname "$0")/../internal/web/static/htmx.LICENSE"
echo "htmx $version vendored"
