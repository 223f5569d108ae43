"""Fixture files: loading, the shared top-level keys, and helpers for flavour schemas.

Every problem is reported as ``FILE: JSON-PATH: what is wrong`` so a user can fix it without
reading our code, and the server refuses to start.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from authmock import cors
from authmock.nodes import type_problem

PROFILES = ("docs", "server")

T = TypeVar("T")
REQUIRED: Any = object()


class FixtureError(ValueError):
    """A fixture file is unusable; ``str()`` is one ``FILE: JSON-PATH: problem`` line per
    problem. ``path`` and ``problem`` are the first one's; ``problems`` holds them all."""

    def __init__(self, source: str, path: str, problem: str,
                 more: list[tuple[str, str]] | None = None) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        self.problems: list[tuple[str, str]] = [(path, problem), *(more or [])]
        super().__init__("\n".join(f"{source}: {p}: {text}" for p, text in self.problems))

    @classmethod
    def many(cls, source: str, problems: list[tuple[str, str]]) -> FixtureError:
        """One error for every problem found (at least one)."""
        (path, problem), *rest = problems
        return cls(source, path, problem, rest)


@dataclass
class FixtureFile:
    """A parsed fixture document plus where it came from (for error messages)."""

    source: str
    data: dict[str, Any]
    flavour: str
    settings: dict[str, Any] = field(default_factory=dict)
    #: the document as its flavour's schema validated it (defaults filled), once checked
    checked: dict[str, Any] | None = None
    #: per list section extended from the bundled data: each entry's index in this file
    #: (None: a bundled entry), so problems name the line the user wrote
    origins: dict[str, list[int | None]] = field(default_factory=dict)

    def error(self, path: str, problem: str) -> FixtureError:
        return FixtureError(self.source, path, problem)

    # helpers for flavour schemas -------------------------------------------------
    def expect(self, value: Any, kind: type[T] | tuple[type, ...], path: str) -> T:
        """``value`` if it is of ``kind`` (bool is never an int here), else a FixtureError."""
        kinds = kind if isinstance(kind, tuple) else (kind,)
        is_bool = isinstance(value, bool)
        ok = any(
            (k is bool and is_bool)
            or (k in (int, float) and not is_bool and isinstance(value, (int, float))
                and (k is float or isinstance(value, int)))
            or (k not in (bool, int, float) and isinstance(value, k))
            for k in kinds
        )
        if not ok:
            raise self.error(path, type_problem(value, kinds))
        return value  # type: ignore[no-any-return]

    def get(
        self,
        obj: Mapping[str, Any],
        key: str,
        kind: type[T] | tuple[type, ...],
        path: str,
        default: Any = REQUIRED,
    ) -> T:
        """``obj[key]`` checked against ``kind``; missing → ``default`` or an error."""
        if key not in obj:
            if default is REQUIRED:
                raise self.error(path, f"missing required key \"{key}\"")
            return default  # type: ignore[no-any-return]
        return self.expect(obj[key], kind, f"{path}.{key}")

    def only_keys(self, obj: Mapping[str, Any], allowed: set[str] | list[str], path: str) -> None:
        """Refuse unknown keys: a typo in a fixture should not pass silently."""
        for key in obj:
            if key not in allowed:
                raise self.error(
                    f"{path}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})"
                )


def bundled_fixture(flavour: str, **settings: Any) -> dict[str, Any]:
    """A fresh copy of a flavour's bundled fixture document, ``settings`` overridden.

    For deriving variants: ``create_app("paystub", fixtures=bundled_fixture("paystub",
    api_rate_limit=0))``, or edit the users before passing it.
    """
    data: dict[str, Any] = json.loads(bundled_fixture_path(flavour).read_text(encoding="utf-8"))
    data.setdefault("settings", {}).update(settings)
    return data


def bundled_fixture_path(flavour: str) -> Path:
    """The default fixture file of a flavour: in the flavour's package (``fixture.json``,
    or where the flavour's ``bundled_fixture`` says), installed or from a source checkout."""
    from authmock import flavour as flavours  # imports Flask: only when a fixture is wanted

    return flavours.get(flavour).bundled_fixture_path()


def bundled_schema_path(flavour: str) -> Path:
    """The JSON Schema file shipped next to the bundled fixture (``fixture.schema.json``)."""
    path = bundled_fixture_path(flavour)
    return path.with_name(path.name.removesuffix(".json") + ".schema.json")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key \"{key}\"")
        result[key] = value
    return result


_bundled_texts: dict[Path, str] = {}


def read_fixture_file(path: str | Path, *, shared: bool = True) -> FixtureFile:
    """Parse a fixture file and (unless ``shared`` is False) check the keys every flavour
    shares. The bundled files are read from disk once per process."""
    source = str(path)
    try:
        text = _bundled_texts.get(Path(path)) or Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixtureError(source, "$", "file not found") from None
    except (OSError, UnicodeError) as exc:
        raise FixtureError(source, "$", f"cannot read file: {exc}") from None
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise FixtureError(
            source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:
        raise FixtureError(source, "$", f"invalid JSON: {exc}") from None
    return fixture_from_data(data, source, shared=shared)


def remember_bundled(path: Path) -> None:
    """Keep a bundled file's text in memory (it is read by every ``create_app``)."""
    if path not in _bundled_texts and path.is_file():
        _bundled_texts[path] = path.read_text(encoding="utf-8")


def fixture_from_data(data: Any, source: str = "<fixtures>", *, shared: bool = True) -> FixtureFile:
    if not isinstance(data, dict):
        raise FixtureError(source, "$", "must be a JSON object")
    flavour = data.get("flavour")
    if not isinstance(flavour, str) or not flavour:
        raise FixtureError(source, "$.flavour", "missing required key \"flavour\" (a string)")
    fixture = FixtureFile(source=source, data=data, flavour=flavour)
    if not shared:  # a flavour with a schema checks these with everything else
        raw = data.get("settings", {})
        fixture.settings = raw if isinstance(raw, dict) else {}
        return fixture
    settings = fixture.get(data, "settings", dict, "$", default={})
    profile = settings.get("profile", "docs")
    if profile not in PROFILES:
        raise fixture.error("$.settings.profile", "must be \"docs\" or \"server\"")
    if "realistic_timing" in settings:
        fixture.expect(settings["realistic_timing"], bool, "$.settings.realistic_timing")
    if "seed" in settings:
        fixture.expect(settings["seed"], (int, str), "$.settings.seed")
    if "reason_header" in settings:
        fixture.expect(settings["reason_header"], bool, "$.settings.reason_header")
    if cors.SETTING in settings:
        origins = fixture.expect(settings[cors.SETTING], list, f"$.settings.{cors.SETTING}")
        for index, origin in enumerate(origins):
            problem = cors.origin_problem(origin)
            if problem is not None:
                raise fixture.error(f"$.settings.{cors.SETTING}[{index}]", problem)
    fixture.settings = settings
    return fixture
