"""The product API's OpenAPI description, served at ``GET /__authmock__/openapi.json``.

Each flavour may ship an ``openapi.json`` next to its package ``__init__``: a hand-written
OpenAPI 3.1 description of the product API the flavour serves (not the control API). It is
what users feed to client generators, Postman/Insomnia or contract tests, and what the suite
fuzzes with Schemathesis. ``servers`` is filled per request with the URL the caller used, so
the document works unchanged behind any host and port.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, request

from authmock.mock import CONTROL_PREFIX, current_mock

if TYPE_CHECKING:
    from authmock.flavour import Flavour

FILENAME = "openapi.json"
PATH = CONTROL_PREFIX + "/openapi.json"


def _package(flavour: Flavour) -> str | None:
    """The package of the flavour's class: the module itself when it is a package's
    ``__init__``, else the package holding that module (third-party flavours too)."""
    module = sys.modules.get(type(flavour).__module__)
    if module is None:
        return None
    if hasattr(module, "__path__"):
        return module.__name__
    return module.__name__.rpartition(".")[0] or None


@cache
def _load(package: str | None) -> str | None:
    """The description's text, read once per package; None when the flavour ships none."""
    if package is None:
        return None
    try:
        return resources.files(package).joinpath(FILENAME).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def description(flavour: Flavour, server_url: str | None = None) -> dict[str, Any] | None:
    """A fresh copy of the flavour's description, ``servers`` set to ``server_url`` if given."""
    text = _load(_package(flavour))
    if text is None:
        return None
    doc: dict[str, Any] = json.loads(text)
    if server_url is not None:
        doc["servers"] = [{"url": server_url, "description": f"this authmock ({flavour.name})"}]
    return doc


def _json(payload: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        status,
        mimetype="application/json",
    )


def openapi_view() -> Response:
    """``GET /__authmock__/openapi.json``: this app's flavour description, or a 404."""
    mock = current_mock()
    doc = description(mock.flavour, request.url_root.rstrip("/"))
    if doc is None:
        return _json({"error": f"flavour {mock.name} has no OpenAPI description"}, 404)
    return _json(doc)


def blueprint() -> Blueprint:
    """One-line wiring: ``app.register_blueprint(openapi.blueprint())``."""
    bp = Blueprint("authmock_openapi", __name__)
    bp.add_url_rule(PATH, "openapi", openapi_view, methods=["GET"])
    return bp
