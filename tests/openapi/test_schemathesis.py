"""Schemathesis against each flavour in-process: the app must answer as its description says.

Every operation of every description, cases generated from the description (valid data, data
that breaks it, and the security parameters Schemathesis makes up); half the cases carry a real
token from a login done for that case on a freshly reset app, so authenticated routes are
explored past the 401.
Checks: no 5xx, every status documented, the documented content type, the documented body.
Budget: 25 cases per operation; ``AUTHMOCK_FUZZ_EXAMPLES`` (cases per flavour, as for the
Hypothesis fuzzer: CI 2 000, ``tox -e fuzz`` 10 000) is spread over the flavour's operations.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from authmock.openapi import PATH
from tests.openapi.targets import TARGETS, app_for, document, fresh_token, operations

PER_OPERATION = 25
_BUDGET = os.environ.get("AUTHMOCK_FUZZ_EXAMPLES")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: security parameters Schemathesis may generate outside headers; dropped for a real token
SECURITY_QUERY = ("api_key", "session_token", "access_token")
CASES = [
    pytest.param(flavour, method, path, id=f"{flavour}-{method}-{path}")
    for flavour in TARGETS
    for method, path in operations(flavour)
]
_SCHEMAS: dict[str, Any] = {}
_COUNT: dict[str, int] = {}


def _examples(flavour: str) -> int:
    """Cases per operation: the default, or the flavour's budget spread over its operations."""
    if not _BUDGET:
        return PER_OPERATION
    count = len(list(operations(flavour)))
    return max(5, -(-int(_BUDGET) // count))


def _schema(flavour: str) -> Any:
    """Loaded the way users would: from the app's own ``GET /__authmock__/openapi.json``."""
    if flavour not in _SCHEMAS:
        _SCHEMAS[flavour] = schemathesis.openapi.from_wsgi(PATH, app_for(flavour))
    return _SCHEMAS[flavour]


def _authenticate(case: Case[Any], token_headers: dict[str, str]) -> None:
    """Replace whatever credentials were generated with the real ones."""
    case.headers.pop("Authorization", None)
    case.headers.update(token_headers)
    for name in SECURITY_QUERY:
        case.query.pop(name, None)
    case.cookies.clear()


def _cases(operation: Any) -> SearchStrategy[Case[Any]]:
    """Valid data and data that breaks the description (wrong types, missing fields)."""
    both: SearchStrategy[Case[Any]] = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    return both


@pytest.mark.parametrize(("flavour", "method", "path"), CASES)
def test_operation_answers_as_described(flavour: str, method: str, path: str) -> None:
    target = TARGETS[flavour]
    app = app_for(flavour)
    operation = _schema(flavour)[path][method]

    @settings(
        max_examples=_examples(flavour),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation), real_token=st.booleans())
    def run(case: Case[Any], real_token: bool) -> None:
        token = fresh_token(app, target)
        if real_token:
            _authenticate(case, target.auth_headers(token))
        response = case.call()
        _COUNT[flavour] = _COUNT.get(flavour, 0) + 1
        case.validate_response(response, checks=CHECKS)

    run()


def test_a_wrong_description_is_caught() -> None:
    """The checks bite: with the error envelope described wrongly, a 401 fails validation."""
    doc = document("paystub")
    doc["components"]["schemas"]["Error"]["properties"]["success"] = {"const": True}
    schema = schemathesis.openapi.from_dict(doc)
    operation = schema["/admin/auth/me"]["GET"]
    case = operation.Case(headers={"Authorization": "Bearer 1|forged"})
    response = case.call(app=app_for("paystub"))
    assert response.status_code == 401
    with pytest.raises(FailureGroup, match="Response violates schema"):
        case.validate_response(response, checks=CHECKS)


def test_fuzzed_counts_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this module: how many cases each flavour got (printed with ``-s``)."""
    with capsys.disabled():
        for flavour, count in sorted(_COUNT.items()):
            print(f"\nschemathesis: {flavour}: {count} cases")
    assert set(_COUNT) <= set(TARGETS)
