"""1EdTech's Open Badges 2.0 reference validator (PyPI `openbadges`, "validator-core"), offline.

validator-core fetches the Open Badges JSON-LD contexts (https://w3id.org/openbadges/v2 and
/v1) for every compaction, so offline it fails before looking at a badge. This wrapper mounts a
`requests` transport adapter on every Session (requests-cache sessions too) that answers those
two URLs from local copies: v2 from the package's own copy (a Python dict in
`openbadges/verifier/openbadges_context.py`), v1 from the package's test suite (the sdist that
`tests/interop/setup.sh` downloads; `EMBLEM_VC_SDIST` names its folder). Everything else goes to
the network as usual (the tests point it at loopback), with a 20 s timeout, because the
validator sets none.

Python 3.11 compatibility: python-jose 3.0.1 imports `collections.Mapping` and friends, moved to
`collections.abc` in 3.10; they are aliased before the import.

Usage:
  ob_validator.py [--recipient EMAIL] [--time N] INPUT
INPUT is a URL, an assertion as JSON, or a compact JWS. Prints one JSON line: `valid`,
`errorCount`, `warningCount`, `messages` (name, messageLevel, result) from validator-core's
report; with `--time N`, also `mean_ms`, the mean time of N more verifications of the same input
in this process (the first, cold one excluded).
"""

import collections
import collections.abc

for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    setattr(collections, _name, getattr(collections.abc, _name))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import requests  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402

from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT  # noqa: E402

V1 = "https://w3id.org/openbadges/v1"
V2 = "https://w3id.org/openbadges/v2"
TIMEOUT = 20


def v1_context():
    """The v1 context, as the validator's own test suite carries it."""
    sdist = os.environ.get("EMBLEM_VC_SDIST")
    if not sdist:
        return None
    sys.path.insert(0, sdist)
    try:
        from tests.testfiles.test_components import test_components
    except ImportError:
        return None
    finally:
        sys.path.pop(0)
    return test_components.get("openbadges_context_v1")


CONTEXTS = {V2: json.dumps(OPENBADGES_CONTEXT_V2_DICT)}
_v1 = v1_context()
if _v1:
    CONTEXTS[V1] = _v1


class Contexts(HTTPAdapter):
    """Answers the Open Badges context URLs locally; 404 for any other w3id.org URL."""

    def send(self, request, **kwargs):
        url = request.url.rstrip("/")
        response = requests.Response()
        response.url = request.url
        response.request = request
        body = CONTEXTS.get(url)
        response.status_code = 200 if body else 404
        response._content = (body or "offline: not a bundled context").encode()
        response.headers["Content-Type"] = "application/ld+json"
        response.encoding = "utf-8"
        return response


_init = requests.Session.__init__
_request = requests.Session.request


def _session_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.mount("https://w3id.org/", Contexts())
    self.mount("http://w3id.org/", Contexts())


def _session_request(self, method, url, *args, **kwargs):
    if len(args) < 8:  # `timeout` is the ninth positional parameter of Session.request
        kwargs.setdefault("timeout", TIMEOUT)
    return _request(self, method, url, *args, **kwargs)


requests.Session.__init__ = _session_init
requests.Session.request = _session_request

import logging  # noqa: E402

import openbadges  # noqa: E402

logging.getLogger("openbadges").setLevel(logging.CRITICAL)


def verify(data, recipient):
    profile = {"email": recipient} if recipient else None
    result = openbadges.verify(data, recipient_profile=profile, use_cache=False)
    report = result.get("report", {})
    return {
        "valid": bool(report.get("valid")),
        "errorCount": report.get("errorCount", 0),
        "warningCount": report.get("warningCount", 0),
        "messages": [
            {k: m.get(k) for k in ("name", "messageLevel", "result")}
            for m in report.get("messages", [])
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input")
    parser.add_argument("--recipient")
    parser.add_argument("--time", type=int, default=0)
    args = parser.parse_args()
    out = verify(args.input, args.recipient)
    if args.time > 0:
        started = time.perf_counter()
        for _ in range(args.time):
            verify(args.input, args.recipient)
        out["mean_ms"] = (time.perf_counter() - started) * 1000 / args.time
    print(json.dumps(out))


if __name__ == "__main__":
    main()
