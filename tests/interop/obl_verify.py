"""An independent Open Badges 3.0 verifier for Emblem's credentials: PyPI `openbadgeslib`
(its OB3Verifier for VC-JWTs, its OB3LdpVerifier for Data Integrity proofs), as installed by
tests/interop/setup.sh into target/interop/obl.

stdin:  {"jwt": "<compact JWS>", "jwk": {...}}   or   {"credential": {...}, "jwk": {...}}
stdout (last line): {"verified": true|false, "error": "...", "issuer": "...", "layout": "..."}

The key is pinned: openbadgeslib resolves DIDs only, and an https issuer (Emblem's Profile) is
trusted through the public key the caller hands it, here the issuer's published JWK (fetched
from the app by the test). The library then checks the signature, the algorithm against the
key type, the OB 3.0 structure, the JWT claims against the credential and the validity window.
Status is not checked: openbadgeslib reads Bitstring status lists only, and Emblem publishes a
1EdTechRevocationList.
"""

import json
import sys

import jwt  # PyJWT, an openbadgeslib dependency: JWK to key object
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3Verifier


def main() -> None:
    request = json.load(sys.stdin)
    answer = {"verified": False}
    try:
        key = jwt.PyJWK(request["jwk"]).key
        if "jwt" in request:
            credential = OB3Verifier(key).verify(request["jwt"])
            answer["layout"] = "jwt"
        else:
            credential = OB3LdpVerifier(key).verify(request["credential"])
            answer["layout"] = "data-integrity"
        answer["verified"] = True
        answer["issuer"] = credential.issuer.id
    except Exception as exc:  # the library's errors and anything it lets through
        answer["error"] = "%s: %s" % (type(exc).__name__, exc)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
