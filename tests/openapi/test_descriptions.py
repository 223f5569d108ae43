"""Each flavour's OpenAPI description loads, is served, and covers every route it has.

Coverage is checked both ways the routes are known: every product request of the recorded
transcripts (``tests/recorded/<flavour>-docs.txt``) that a route answered matches an operation,
and every route of Directus's route tables and of Paystub's URL map is described.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.core.result import Err

from authmock import openapi
from authmock.flavours.directus.pipeline import TABLES
from authmock.flavours.dreamfactory.errors import VERB_NOT_SUPPORTED
from authmock.flavours.paystub import PaystubFlavour
from authmock.mock import is_control_path
from tests.openapi.targets import TARGETS, app_for, document, operations

RECORDED = Path(__file__).resolve().parent.parent / "recorded"
FLAVOURS = sorted(TARGETS)
#: verb tunnelling (Symfony, DreamFactory): the real method is not the one on the wire
TUNNEL = re.compile(
    r"^> (X-HTTP-Method(-Override)?|X-Method-Override): |\"_method\"|[?&]_?method=", re.I | re.M
)
_NOT_SUPPORTED = VERB_NOT_SUPPORTED.split("{verb}")[1].split("'{name}'")[0]


def _template_regex(template: str) -> re.Pattern[str]:
    """``/users/{id}`` -> a case-insensitive full match of one path with one segment each."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(p) for p in parts), re.I)


def _described(flavour: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(method, _template_regex(path)) for method, path in operations(flavour)]


def _recorded_routes(flavour: str) -> set[tuple[str, str]]:
    """(METHOD, path) of every product request a route answered in the docs transcript."""
    text = (RECORDED / f"{flavour}-docs.txt").read_text(encoding="utf-8")
    found: set[tuple[str, str]] = set()
    for block in text.split("\n>>> ")[1:]:
        request, _, answer = block.partition("\n<<< ")
        method, _, target = request.split("\n", 1)[0].partition(" ")
        path = target.split("?", 1)[0]
        status = int(answer[:3])
        if (is_control_path(path) or method in ("HEAD", "OPTIONS") or status in (404, 405)
                or TUNNEL.search(request) or _NOT_SUPPORTED in answer):
            continue  # not a route's answer, or not the method on the wire
        if flavour == "dreamfactory" and status in (401, 403):
            continue  # AccessCheck answers before any service lookup, for any path under /api
        found.add((method, path.rstrip("/") or "/"))
    return found


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_description_loads_and_every_operation_resolves(flavour: str) -> None:
    doc = document(flavour)
    assert doc["openapi"].startswith("3.1")
    schema = schemathesis.openapi.from_dict(doc)
    results = list(schema.get_all_operations())
    assert [r.err() for r in results if isinstance(r, Err)] == []
    assert len(results) == len(list(operations(flavour))) > 0
    assert "servers" not in doc  # filled per request with the caller's URL


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_recorded_route_is_described(flavour: str) -> None:
    described = _described(flavour)
    recorded = _recorded_routes(flavour)
    missing = sorted(
        (method, path) for method, path in recorded
        if not any(m == method and rx.fullmatch(path) for m, rx in described)
    )
    assert len(recorded) > 10
    assert missing == []


def _normalised(template: str) -> str:
    """Parameters of any syntax (``{id}``, ``:pk``, ``<int:id>``) as ``{}``; lower case."""
    return re.sub(r"\{[^}]+\}|:\w+|<[^>]+>", "{}", template).rstrip("/").lower()


def _operation_keys(flavour: str) -> set[tuple[str, str]]:
    return {(method, _normalised(path)) for method, path in operations(flavour)}


def test_every_directus_route_table_entry_is_described() -> None:
    declared = {
        (method, _normalised(route.pattern)) for table in TABLES for route in table.routes
        for method in route.methods
    }
    assert len(declared) > 20
    assert sorted(declared - _operation_keys("directus")) == []


def test_every_paystub_url_rule_is_described() -> None:
    app = app_for("paystub")
    declared = {
        (method, _normalised(rule.rule)) for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("paystub.") for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert len(declared) >= 6
    assert sorted(declared - _operation_keys("paystub")) == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_blueprint_serves_the_description_with_the_callers_url(flavour: str) -> None:
    app = app_for(flavour)
    answer = app.test_client().get(
        openapi.PATH, base_url="http://api.example.test:8055/base"
    )
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    body: dict[str, Any] = answer.get_json()
    assert body["servers"][0]["url"] == "http://api.example.test:8055/base"
    assert body["paths"] == document(flavour)["paths"]
    assert openapi.PATH == "/__authmock__/openapi.json"


class _Undescribed(PaystubFlavour):
    """A flavour from a package that ships no ``openapi.json``."""


def test_a_flavour_without_a_description_answers_404(monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for("paystub")
    monkeypatch.setattr(app.mock, "flavour", _Undescribed())
    answer = app.test_client().get(openapi.PATH)
    assert answer.status_code == 404
    assert answer.get_json() == {"error": "flavour paystub has no OpenAPI description"}
    assert openapi.description(_Undescribed()) is None
