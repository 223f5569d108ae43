"""authmock: offline fakes of the DreamFactory, Directus and Paystub authentication APIs.

Public API: ``create_app``, ``run_in_thread``, the control handle ``Mock`` (``app.mock``), and
``bundled_fixture`` to derive fixture variants.

The names are loaded on first use (module ``__getattr__``): the pytest plugin imports this
package in every run of every project that has authmock installed, and importing Flask and the
flavours up front cost such runs about 150 ms even when no authmock fixture was used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authmock.app import Mock, MockFlask, create_app, current_mock
    from authmock.fixtures import FixtureError, bundled_fixture
    from authmock.server import LiveServer, run_in_thread

__version__ = "0.1.0"

_LAZY = {
    "Mock": "authmock.app",
    "MockFlask": "authmock.app",
    "create_app": "authmock.app",
    "current_mock": "authmock.app",
    "FixtureError": "authmock.fixtures",
    "bundled_fixture": "authmock.fixtures",
    "LiveServer": "authmock.server",
    "run_in_thread": "authmock.server",
}

__all__ = [
    "FixtureError",
    "LiveServer",
    "Mock",
    "MockFlask",
    "__version__",
    "bundled_fixture",
    "create_app",
    "current_mock",
    "run_in_thread",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access, then cache the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'authmock' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
