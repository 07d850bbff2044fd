#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (not committed) with starting inputs: the golden baking corpus
# (crates/badges/tests/fixtures/bake/) and the inputs kept in fuzz/regressions/.
# For bake_roundtrip an input is: mode byte, payload length byte, payload, image
# (see emblem_web::bake::fuzzing::roundtrip). The POST /verify parsers' targets (jws_parse,
# verify_input, multipart, data_uri; layouts in emblem_web::fuzzing) get a few valid inputs
# each, a JWS signed with tests/fixtures/verify/key-a.pem among them (needs openssl).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
golden="$here/../crates/badges/tests/fixtures/bake"
for t in png_unbake svg_unbake bake_roundtrip jws_parse verify_input multipart data_uri; do
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
# The POST /verify parsers.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
# One byte: the length of $1 (at most 255), then $1.
prefixed() { printf "\\x$(printf %02x "${#1}")"; printf '%s' "$1"; }
seed() { cat >"$here/corpus/$1/seed-$2"; }
key="$here/../tests/fixtures/verify/key-a.pem"
h=$(printf '{"alg":"RS256"}' | b64url)
p=$(printf '{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:1","recipient":{"type":"email","hashed":false,"identity":"a@x.org"}}' | b64url)
if command -v openssl >/dev/null; then
    s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$key" -binary | b64url)
else
    s=c2ln
fi
jws="$h.$p.$s"
printf '%s' "$jws" | seed jws_parse signed
printf '%s.%s.' "$(printf '{"alg":"none"}' | b64url)" "$p" | seed jws_parse alg-none
printf '%s.%s.c2ln' "$(printf '{"alg":"HS256","kid":"k"}' | b64url)" "$p" | seed jws_parse hs256
printf '%s==.%s.%s=' "$h" "$p" "$s" | seed jws_parse padded

# verify_input: content type selector, query, boundary or content type, body.
vi() { { printf "\\x$1"; prefixed "$2"; prefixed "$3"; cat; } | seed verify_input "$4"; }
printf '{"url":"https://x.org/a/1","recipient":{"email":"a@x.org"}}' | vi 00 '' '' json-url
printf '{"assertion":{"id":"https://x.org/a/1"},"telephone":"+15551234"}' | vi 01 '' '' json-assertion
printf '{"jws":"%s","recipient":"a@x.org"}' "$jws" | vi 00 '' '' json-jws
printf '{"assertion":"{\\"id\\":\\"urn:uuid:1\\"}"}' | vi 07 '' '' json-assertion-text
vi 02 'email=a%40x.org' '' png <"$golden/png-gray.baked.png"
vi 03 'recipient_url=https%3A%2F%2Fme.org' '' svg <"$golden/svg-prolog.baked.svg"
vi 04 '' '' png-unbaked <"$golden/png-palette.png"
form=$'--b\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://x.org/a/1\r\n--b\r\nContent-Disposition: form-data; name="email"\r\n\r\na@x.org\r\n--b--\r\n'
printf '%s' "$form" | vi 08 '' 'b' multipart-url
printf '%s' "$form" | vi 09 '' 'multipart/form-data; boundary="b"' multipart-quoted
{
    printf -- $'--b\r\nContent-Disposition: form-data; name="image"; filename="b.png"\r\nContent-Type: image/png\r\n\r\n'
    cat "$golden/png-gray.baked.png"
    printf -- $'\r\n--b--\r\n'
} | vi 08 '' 'b' multipart-image
printf 'x' | vi 05 'url=https%3A%2F%2Fx.org%2Fa%2F1&email=a%40x.org' '' query

# multipart: content type, body.
{ prefixed 'multipart/form-data; boundary=b'; printf '%s' "$form"; } | seed multipart url
{
    prefixed 'multipart/form-data; boundary="XyZ"'
    printf -- $'preamble\r\n--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.svg"\r\nContent-Type: image/svg+xml\r\n\r\n'
    cat "$golden/svg-comments.svg"
    printf -- $'\r\n--XyZ\r\nContent-Disposition: form-data; name="assertion"\r\n\r\n{"id":"urn:uuid:1"}\r\n--XyZ--\r\nepilogue'
} | seed multipart image

# data_uri: cap selector, URI.
printf '\x04data:image/png;base64,%s' "$(base64 -w0 <"$golden/png-gray.png")" | seed data_uri png
printf '\x03data:image/svg+xml,%%3Csvg%%20xmlns%%3D%%22http%%3A%%2F%%2Fwww.w3.org%%2F2000%%2Fsvg%%22%%2F%%3E' | seed data_uri svg-percent
printf '\x02data:image/svg+xml;charset=utf-8;BASE64,PHN2Zy8+' | seed data_uri svg-base64
printf '\x03data:image/png;base64,aGVs%%0AbG8\n' | seed data_uri png-escaped-newline
printf '\x01data:image/svg+xml,<svg/>' | seed data_uri svg-raw

for t in jws_parse verify_input multipart data_uri; do
    echo "seeded $t: $(ls "$here/corpus/$t" | wc -l)"
done
echo "seeded: $(ls "$here/corpus/png_unbake" | wc -l) png, $(ls "$here/corpus/svg_unbake" | wc -l) svg, $(ls "$here/corpus/bake_roundtrip" | wc -l) round trip"
