# For schemathesis (tests/e2e/schemathesis.test.js): each test case of an operation that needs
# a session gets one of its own, logged in at the server under test with a code the mock
# WeChat issued (MP_SESSION_ST_CODES, a file of codes, one a line). A shared token would not
# do: one case's logout would end it for every case after.
import json
import os
import urllib.request

import schemathesis

_codes = open(os.environ["MP_SESSION_ST_CODES"], encoding="utf-8").read().split()
_base = os.environ["MP_SESSION_ST_BASE"]


def _session():
    body = json.dumps({"code": _codes.pop(), "platform": "wx"}).encode()
    request = urllib.request.Request(
        _base + "/auth/login", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["token"]


@schemathesis.auth()
class FreshSession:
    def get(self, case, context):
        return _session()

    def set(self, case, data, context):
        # A new session for every case, not the one cached.
        case.headers = case.headers or {}
        case.headers["Authorization"] = "Bearer " + _session()
