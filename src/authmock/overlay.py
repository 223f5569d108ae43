"""Loading a flavour's fixture: a file states only what it changes from the bundled one.

- Sections the file leaves out keep the bundled data; ``settings`` merge key by key.
- A list section (users, roles, apps...) replaces the bundled list, unless the file says
  ``"extends": "bundled"``: then each entry is added, or replaces the bundled entry with the
  same key (e-mail, name; the flavour's schema says which), and object sections (tables,
  collections) merge name by name.
- ``settings`` given apart (``authmock serve --set``, ``create_app(settings=...)``) apply last.

Then the flavour's schema checks the whole result and reports every problem, naming the
entries as the user's file numbers them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from authmock import flavour as flavours
from authmock.fixtures import (
    FixtureError,
    FixtureFile,
    bundled_fixture_path,
    fixture_from_data,
    read_fixture_file,
    remember_bundled,
)
from authmock.schema import FixtureSchema

Fixtures = str | Path | Mapping[str, Any] | None


def schema_of(flavour: str) -> FixtureSchema | None:
    """The flavour's declared fixture schema (None for a flavour that parses by hand)."""
    schema: FixtureSchema | None = getattr(flavours.get(flavour), "fixture_schema", None)
    return schema


def load_fixture(
    flavour: str, fixtures: Fixtures = None, settings: Mapping[str, Any] | None = None
) -> FixtureFile:
    """The fixture an app of ``flavour`` serves: ``fixtures`` over the bundled one, checked."""
    schema = schema_of(flavour)
    shared = schema is None
    if fixtures is None:
        path = bundled_fixture_path(flavour)
        remember_bundled(path)
        fixture = read_fixture_file(path, shared=shared)
    elif isinstance(fixtures, Mapping):
        fixture = fixture_from_data(dict(fixtures), shared=shared)
    else:
        fixture = read_fixture_file(fixtures, shared=shared)
    if fixture.flavour != flavour:
        raise fixture.error(
            "$.flavour", f"is \"{fixture.flavour}\" but the app is for \"{flavour}\""
        )
    if schema is None:
        if settings:
            fixture.settings = {**fixture.settings, **settings}
        return fixture
    bundled_path = bundled_fixture_path(flavour)
    if fixtures is not None and bundled_path.is_file():  # a flavour may ship none
        remember_bundled(bundled_path)
        base = read_fixture_file(bundled_path, shared=False).data
        fixture.data, fixture.origins = overlay(base, fixture.data, schema.overlay_keys)
    if settings:
        raw = fixture.data.get("settings")
        fixture.data = {**fixture.data, "settings": {**(raw if isinstance(raw, dict) else {}),
                                                     **settings}}
    raw_settings = fixture.data.get("settings", {})
    fixture.settings = raw_settings if isinstance(raw_settings, dict) else {}
    try:
        schema.document(fixture)
    except FixtureError as exc:
        raise _renumbered(exc, fixture.origins) from None
    return fixture


def overlay(
    base: dict[str, Any], top: dict[str, Any], keys: Mapping[str, Callable[[Any], Any]]
) -> tuple[dict[str, Any], dict[str, list[int | None]]]:
    """``top`` over ``base`` by the rules above; also where each extended entry came from."""
    merged = dict(base)
    origins: dict[str, list[int | None]] = {}
    extends = top.get("extends") == "bundled"
    for key, value in top.items():
        old = base.get(key)
        if key == "settings" and isinstance(value, dict) and isinstance(old, dict):
            merged[key] = {**old, **value}
        elif extends and isinstance(value, list) and isinstance(old, list) and key in keys:
            merged[key], origins[key] = _extend(old, value, keys[key])
        elif extends and isinstance(value, dict) and isinstance(old, dict):
            merged[key] = {**old, **value}
        else:
            merged[key] = value
    return merged, origins


def _key(entry: Any, key: Callable[[Any], Any]) -> Any:
    try:
        return key(entry) if isinstance(entry, dict) else None
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def _extend(
    old: list[Any], new: list[Any], key: Callable[[Any], Any]
) -> tuple[list[Any], list[int | None]]:
    out = list(old)
    origin: list[int | None] = [None] * len(old)
    where: dict[Any, int] = {}
    for index, entry in enumerate(old):
        found = _key(entry, key)
        if found is not None:
            where.setdefault(found, index)
    for index, entry in enumerate(new):
        found = _key(entry, key)
        if found is not None and found in where:
            out[where[found]] = entry
            origin[where[found]] = index
            continue
        if found is not None:
            where[found] = len(out)
        out.append(entry)
        origin.append(index)
    return out, origin


_ENTRY = re.compile(r"^\$\.([^.\[]+)\[(\d+)\]")


def _renumbered(error: FixtureError, origins: dict[str, list[int | None]]) -> FixtureError:
    """Problems in an extended list named by the entry's place in the user's file."""
    if not origins:
        return error
    problems: list[tuple[str, str]] = []
    for path, problem in error.problems:
        match = _ENTRY.match(path)
        section = origins.get(match.group(1)) if match else None
        if match is None or section is None or int(match.group(2)) >= len(section):
            problems.append((path, problem))
            continue
        mine = section[int(match.group(2))]
        if mine is None:
            problems.append((path, f"{problem} (in the bundled entry)"))
        else:
            problems.append((f"$.{match.group(1)}[{mine}]{path[match.end():]}", problem))
    return FixtureError.many(error.source, problems)


def bundled_text(flavour: str, schema_url: str | None = None) -> str:
    """The bundled fixture file as text, to start one's own from (``authmock fixture``);
    ``schema_url`` replaces its ``$schema`` (the copy no longer sits next to the schema)."""
    data = json.loads(bundled_fixture_path(flavour).read_text(encoding="utf-8"))
    if schema_url is not None and "$schema" in data:
        data["$schema"] = schema_url
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
