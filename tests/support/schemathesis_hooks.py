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


@schemathesis.check
def a_valid_request_is_refused_only_by_wechat(ctx, response, case):
    """A request the description allows, answered 400 by /auth/login or /auth/phone, is one
    WeChat refused (its errcode passed through): the only 400 tests/support/schemathesis.toml
    tells positive_data_acceptance to take, and so the only one this server may answer."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    if case.operation.path not in ("/auth/login", "/auth/phone"):
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    refused = isinstance(body, dict) and (
        "errcode" in body or (isinstance(error, dict) and error.get("code") == "PHONE_CODE_INVALID")
    )
    if not refused:
        raise AssertionError(
            "a request the description allows was refused by the server itself, not by WeChat: "
            + response.text[:300]
        )
    return None
