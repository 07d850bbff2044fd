"""Whole-verification scenarios taken from validator-core's own test suite.

validator-core's tests (in the sdist that `tests/interop/setup.sh` downloads) mock the network
with `responses` and call `verify(...)` on a URL, a JSON string, a JWS or an image. This script
runs those test modules with `verify` wrapped: at every call it records the input and every
mocked HTTP response registered at that moment, then lets the test go on. Added to them, the
document families of the suite's shared corpus (`tests/testfiles/test_components.py`: 2.0,
1.1, 1.0, 0.5 assertions with their classes and issuers), each served at the URLs it names.

The recorded scenarios are the cases of `tests/interop/validator_core.rs`, which serves each
one from loopback and asks both validator-core and Emblem for a verdict.

Usage: ob_scenarios.py OUT.json   (run with the validator-core venv's python, with
EMBLEM_VC_SDIST naming the sdist folder)
"""

import base64
import json
import os
import sys
import unittest

sys.argv = sys.argv[:1] + sys.argv[1:]
OUT = sys.argv[1]
SDIST = os.environ["EMBLEM_VC_SDIST"]
sys.path.insert(0, SDIST)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ob_validator  # noqa: E402,F401  (offline contexts, Python 3.11 aliases)
import responses  # noqa: E402

from openbadges.verifier import verifier  # noqa: E402

MODULES = [
    "tests.test_verify",
    "tests.test_graph",
    "tests.test_legacy_versions",
    "tests.test_signed_verification",
    "tests.test_validate_endorsements",
    "tests.test_validation",
]

scenarios = []
_verify = verifier.verify


def _text(body):
    if isinstance(body, bytes):
        try:
            return {"text": body.decode("utf-8")}
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(body).decode()}
    if hasattr(body, "read"):
        data = body.read()
        body.seek(0)
        return _text(data)
    return {"text": body if isinstance(body, str) else json.dumps(body)}


def _mocks():
    out = []
    for m in getattr(responses._default_mock, "_matches", []):
        body = getattr(m, "body", b"")
        entry = {"url": m.url, "status": getattr(m, "status", 200),
                 "content_type": getattr(m, "content_type", None)}
        entry.update(_text(body))
        out.append(entry)
    return out


def recording_verify(badge_input, recipient_profile=None, **options):
    test = _current[0]
    scenario = {"test": test, "recipient_profile": recipient_profile, "served": _mocks()}
    if hasattr(badge_input, "read"):
        scenario["input"] = _text(badge_input)
        badge_input.seek(0)
    else:
        scenario["input"] = {"text": badge_input}
    result = _verify(badge_input, recipient_profile, **options)
    scenario["validator_core_in_test"] = bool(result.get("report", {}).get("valid"))
    scenarios.append(scenario)
    return result


verifier.verify = recording_verify
_current = ["?"]


class Recorder(unittest.TextTestResult):
    def startTest(self, test):
        _current[0] = test.id()
        super().startTest(test)


def corpus():
    """The shared corpus's families, each hosted at the URLs its documents name."""
    from tests.testfiles.test_components import test_components as t

    def served(*names):
        out = []
        for n in names:
            doc = json.loads(t[n])
            url = doc.get("id") or (doc.get("verify") or {}).get("url")
            out.append({"url": url, "status": 200, "content_type": "application/ld+json",
                        "text": t[n]})
        return out

    fams = []
    for v in ("2_0", "1_1"):
        s = served(f"{v}_basic_assertion", f"{v}_basic_badgeclass", f"{v}_basic_issuer")
        fams.append({"test": f"test_components::{v}_basic", "served": s,
                     "input": {"text": s[0]["url"]}, "recipient_profile": None})
    one = [
        {"url": "http://a.com/instance", "status": 200, "content_type": "application/json",
         "text": t["1_0_basic_assertion"]},
        {"url": "http://a.com/badgeclass", "status": 200, "content_type": "application/json",
         "text": t["1_0_basic_badgeclass"]},
        {"url": "http://a.com/issuer", "status": 200, "content_type": "application/json",
         "text": t["1_0_basic_issuer"]},
    ]
    for name in ("1_0_basic_assertion", "1_0_basic_assertion_with_extra_properties",
                 "1_0_assertion_with_errors"):
        url = json.loads(t[name])["verify"]["url"]
        s = [dict(one[0], url=url, text=t[name])] + one[1:]
        fams.append({"test": f"test_components::{name}", "served": s,
                     "input": {"text": url}, "recipient_profile": None})
    return fams


def main():
    suite = unittest.defaultTestLoader.loadTestsFromNames(MODULES)
    with open(os.devnull, "w") as sink:
        runner = unittest.TextTestRunner(stream=sink, resultclass=Recorder, verbosity=0)
        runner.run(suite)
    found = scenarios + corpus()
    with open(OUT, "w") as f:
        json.dump(found, f, indent=1)
    print(f"recorded {len(scenarios)} verify() calls from the test suite and "
          f"{len(found) - len(scenarios)} corpus families")


if __name__ == "__main__":
    main()
