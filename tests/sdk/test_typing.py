"""Users' type checkers see precise types: ``mypy --strict`` on ``typing/client_types.py``."""

from __future__ import annotations

from pathlib import Path

from mypy import api

CASES = Path(__file__).parent / "typing" / "client_types.py"


def test_public_types_under_mypy_strict() -> None:
    stdout, stderr, status = api.run(["--strict", "--python-version", "3.11", str(CASES)])
    assert status == 0, stdout + stderr
