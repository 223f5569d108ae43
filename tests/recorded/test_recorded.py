"""Replay every flavour's script under both profiles and compare with the committed transcript.

A failure means some response changed (status, a header, a body byte). If the change is
intended, regenerate with ``python -m tests.recorded.script --write`` and review the diff
(``--write`` also records each script twice and refuses to write if the runs differ).
"""

from __future__ import annotations

import pytest

from tests.recorded import script


@pytest.mark.parametrize(("flavour", "profile"), script.CASES,
                         ids=[f"{f}-{p}" for f, p in script.CASES])
def test_responses_are_byte_identical(flavour: str, profile: str) -> None:
    target = script.path_for(flavour, profile)
    assert target.exists(), f"{target.name} missing: run {script.REGENERATE}"
    committed = script.read(target)
    actual = script.record(flavour, profile)
    diff = script.difference(committed, actual, target.name)
    if diff:
        pytest.fail(
            f"responses differ from {target.name} (first differences below).\n"
            f"If the change is intended: {script.REGENERATE}\n\n{diff}",
            pytrace=False,
        )


def test_the_check_can_fail() -> None:
    """A one-byte change in a recorded body shows up as a readable diff."""
    committed = script.read(script.path_for("paystub", "docs"))
    changed = committed.replace("Unauthenticated.", "Unauthenticated!", 1)
    diff = script.difference(committed, changed, "paystub-docs.txt")
    assert '-{"success":false,"message":"Unauthenticated.","errors":null}' in diff
    assert '+{"success":false,"message":"Unauthenticated!","errors":null}' in diff
    assert "## in the answer to >>> GET /admin/auth/me" in diff
