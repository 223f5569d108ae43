"""What a flavour is: the contract between the core and one product's fake.

The core never imports a flavour. Flavours are found through the ``authmock.flavours`` entry
point group (or registered with ``register()``), and the core only calls the methods below.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Response

if TYPE_CHECKING:
    from authmock.app import Mock
    from authmock.fixtures import FixtureFile
    from authmock.schema import FixtureSchema


class Flavour(ABC):
    #: name used on the command line, in fixture files and in the control API
    name: str
    #: the real product's usual port
    default_port: int
    #: bodies larger than this are refused before the route runs (render_error(413))
    max_content_length: int | None = None
    #: the product's reason phrases where they differ from the usual ones (``{413: "..."}``);
    #: the status line otherwise says ``404 Not Found``, not Werkzeug's ``404 NOT FOUND``
    reason_phrases: ClassVar[Mapping[int, str]] = {}
    #: the declared fixture (``authmock.schema.FixtureSchema``): with one, the core overlays
    #: fixture files on the bundled one, reports every problem at once, and publishes the
    #: JSON Schema; without one, ``parse_fixtures`` checks the document by hand
    fixture_schema: ClassVar[FixtureSchema | None] = None
    #: ``{session table: (users table, the session row's field holding the user's key)}``:
    #: what ``--watch`` keeps across a fixture reload, for users that still exist
    session_tables: ClassVar[Mapping[str, tuple[str, str]]] = {}

    @abstractmethod
    def parse_fixtures(self, fixture: FixtureFile) -> Any:
        """Validate ``fixture.data`` and return this flavour's seed object.

        Raise ``fixture.error(json_path, problem)`` on the first problem.
        """

    @abstractmethod
    def setup(self, mock: Mock) -> None:
        """Create store tables from ``mock.seed`` and register routes on ``mock.app``."""

    @abstractmethod
    def render_error(self, status: int, error: BaseException | None) -> Response:
        """The product's own envelope for 404/405/413/500 and other HTTP errors."""

    def banner(self, mock: Mock, url: str) -> list[str]:
        """Lines `authmock serve` prints under the URL: what a newcomer needs to log in."""
        return []

    def cors_summary(self, mock: Mock) -> str:
        """The banner's CORS line: which origins may call. A flavour whose fixture's own CORS
        settings rule over ``mock.cors`` (or whose product default is not "none") says so."""
        return mock.cors.describe()

    def totp_secret(self, mock: Mock, email: str) -> str | None:
        """The TOTP secret of the user with this e-mail, for the control API's otp route."""
        return None

    def on_reset(self, mock: Mock) -> None:
        """Clear state kept outside the store (the store and clock are reset by the core)."""
        return None


_registry: dict[str, Flavour] = {}
_lock = threading.Lock()


def register(flavour: Flavour) -> None:
    with _lock:
        _registry[flavour.name] = flavour


def available() -> list[str]:
    """Names of every flavour installed (entry points) or registered by hand."""
    names = {ep.name for ep in entry_points(group="authmock.flavours")}
    return sorted(names | set(_registry))


def get(name: str) -> Flavour:
    """The flavour called ``name``, importing only that one; KeyError names the known ones."""
    with _lock:
        found = _registry.get(name)
    if found is not None:
        return found
    for ep in entry_points(group="authmock.flavours", name=name):
        loaded: Any = ep.load()
        instance: Flavour = loaded() if isinstance(loaded, type) else loaded
        register(instance)
        return instance
    raise KeyError(f"unknown flavour {name!r} (known: {', '.join(available()) or 'none'})")
