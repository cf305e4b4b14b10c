"""API fixtures: a token for a person, and a client that sends it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from expense_tracker.services import tokens


@dataclass
class ApiClient:
    """A test client that sends a bearer token with every request."""

    client: object
    token: str

    def _headers(self, kwargs: dict) -> dict:
        return {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}

    def get(self, url: str, **kwargs):
        return self.client.get(url, headers=self._headers(kwargs), **kwargs)

    def post(self, url: str, **kwargs):
        return self.client.post(url, headers=self._headers(kwargs), **kwargs)

    def patch(self, url: str, **kwargs):
        return self.client.patch(url, headers=self._headers(kwargs), **kwargs)

    def delete(self, url: str, **kwargs):
        return self.client.delete(url, headers=self._headers(kwargs), **kwargs)


def make_token(app, person, name: str = "tests") -> str:
    with app.app_context():
        return tokens.create_token(person.id, name)[1]


@pytest.fixture
def api(app, client, user) -> ApiClient:
    """The API as `user`, through a token."""
    return ApiClient(client, make_token(app, user))


@pytest.fixture
def other_api(app, other_user) -> ApiClient:
    """The API as `other_user`, through a token, from a client of its own."""
    return ApiClient(app.test_client(), make_token(app, other_user))


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body
