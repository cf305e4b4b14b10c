"""Service tests call services directly, inside one app context per test."""

import pytest


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield
