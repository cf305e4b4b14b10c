"""Schemathesis hooks: sign in with a fresh token whenever the current one stops working.

The run calls every operation, DELETE /tokens/{id} among them, so it may revoke the
very token it is using; on a 401, schemathesis asks for a new one and replays.
"""

from __future__ import annotations

import os

import requests
import schemathesis


@schemathesis.auth()
class TokenAuth:
    def get(self, case, context):
        response = requests.post(
            f"{os.environ['EXPENSE_TRACKER_URL']}/api/v1/tokens",
            json={
                "username": os.environ["EXPENSE_TRACKER_USERNAME"],
                "password": os.environ["EXPENSE_TRACKER_PASSWORD"],
                "name": "schemathesis",
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def map_body(context, body):
    """Give every other generated POST /tokens body the run's real username and password.

    Random credentials only ever get 401, so the operation's other answers (a token, a
    refused name, the throttle) would never be reached. The choice follows the body, so
    the same run makes the same requests.
    """
    operation = context.operation
    if operation is None or (operation.method.upper(), operation.path) != (
        "POST",
        "/api/v1/tokens",
    ):
        return body
    if not isinstance(body, dict) or len(repr(body)) % 2:
        return body
    if not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        return body  # a body of the wrong shape stays wrong
    return {
        **body,
        "username": os.environ["EXPENSE_TRACKER_USERNAME"],
        "password": os.environ["EXPENSE_TRACKER_PASSWORD"],
    }
