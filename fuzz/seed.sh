#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (not committed) with starting inputs: the golden baking corpus
# (components/core/tests/fixtures/bake/) and the inputs kept in fuzz/regressions/.
# For bake_roundtrip an input is: mode byte, payload length byte, payload, image
# (see emblem_core::bake::fuzzing::roundtrip).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
golden="$here/../components/core/tests/fixtures/bake"
for t in png_unbake svg_unbake bake_roundtrip; do
    mkdir -p "$here/corpus/$t"
    [ -d "$here/regressions/$t" ] && cp "$here/regressions/$t"/* "$here/corpus/$t/" 2>/dev/null || true
done
cp "$golden"/*.png "$here/corpus/png_unbake/"
cp "$golden"/*.svg "$here/corpus/svg_unbake/"
payloads=(
    'https://badges.example.org/assertions/1'
    '{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:1"}'
    'eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln'
    '{"@context":["https://www.w3.org/ns/credentials/v2"],"x":"]]>"}'
)
n=0
for img in "$golden"/png-*.png "$golden"/svg-*.svg; do
    case "$img" in *.baked.*) continue ;; esac
    p="${payloads[$((n % ${#payloads[@]}))]}"
    mode=$((n % 3 == 0 ? 0 : (n % 3 == 1 ? 4 : 8)))
    {
        printf "\\x$(printf %02x "$mode")\\x$(printf %02x "${#p}")"
        printf '%s' "$p"
        cat "$img"
    } >"$here/corpus/bake_roundtrip/seed-$n"
    n=$((n + 1))
done
echo "seeded: $(ls "$here/corpus/png_unbake" | wc -l) png, $(ls "$here/corpus/svg_unbake" | wc -l) svg, $(ls "$here/corpus/bake_roundtrip" | wc -l) round trip"
