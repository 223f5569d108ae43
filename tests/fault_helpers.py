"""Comparing a fault rule's answer with the real situation's, byte for byte."""

from __future__ import annotations

from werkzeug.test import TestResponse

REASON = "X-Authmock-Reason"


def wire(response: TestResponse) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status line, headers in order and body, without the one header products never send
    and without the Date value (on the mock clock, which the two situations may not share)."""
    headers = [(k, v if k != "Date" else "") for k, v in response.headers.items() if k != REASON]
    return response.status, headers, response.get_data()


def assert_same_bytes(faulted: TestResponse, real: TestResponse) -> None:
    assert (REASON in faulted.headers and faulted.headers[REASON].startswith("fault rule ")) or (
        faulted.status_code >= 500
    ), faulted.headers
    assert wire(faulted) == wire(real)
