"""Schemathesis against the live app: every operation, generated requests, no failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..factories import make_user

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
# Enough for each phase to reach every field; the run takes seconds per database.
MAX_EXAMPLES = "40"


@pytest.mark.fuzz
@pytest.mark.both_databases
def test_schemathesis_finds_no_failures(app, live_server, tmp_path):
    with app.app_context():
        # Its own account: generated log-ins as other names never throttle it.
        make_user("schemathesis-user", "schemathesis password")
    environment = {
        **os.environ,
        "EXPENSE_TRACKER_URL": live_server,
        "EXPENSE_TRACKER_USERNAME": "schemathesis-user",
        "EXPENSE_TRACKER_PASSWORD": "schemathesis password",
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }

    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{live_server}/api/v1/openapi.json",
            "--max-examples",
            MAX_EXAMPLES,
            "--no-color",
        ],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "Tested: 25" in output, output[-3000:]
    assert "No issues found" in output or "0 failures" in output or "passed" in output, output[
        -3000:
    ]
