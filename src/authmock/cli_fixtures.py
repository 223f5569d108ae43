"""The fixture side of the command line: ``check-fixtures``, ``schema``, ``fixture`` and
``serve --set``.

Kept apart from ``cli.py`` (serving, ports, banner) so each can change on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from authmock import flavour as flavours
from authmock.fixtures import FixtureError, FixtureFile, bundled_schema_path, read_fixture_file
from authmock.overlay import bundled_text, load_fixture, schema_of
from authmock.schema import FixtureSchema, Obj, Report


class SetError(Exception):
    """A ``--set`` argument that cannot apply; the message names what is allowed."""


def add_commands(commands: Any) -> None:
    """Register ``schema`` and ``fixture`` on the CLI's subcommands."""
    schema = commands.add_parser(
        "schema", help="print the JSON Schema of a flavour's fixture files"
    )
    schema.add_argument("flavour", metavar="FLAVOUR", choices=flavours.available())
    schema.set_defaults(handler=_print_schema)
    fixture = commands.add_parser(
        "fixture", help="print a flavour's bundled fixture, to start your own from"
    )
    fixture.add_argument("flavour", metavar="FLAVOUR", choices=flavours.available())
    fixture.set_defaults(handler=_print_fixture)


def add_set_option(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", dest="set",
        help="change one setting without a file (repeatable; FLAVOUR.KEY=VALUE when serving "
        "several; VALUE is read as JSON where it parses, else as a string)",
    )


def _schema_or_exit(name: str) -> FixtureSchema:
    schema = schema_of(name)
    if schema is None:
        raise SetError(f"{name} declares no fixture schema")
    return schema


def _emit(text: str) -> int:
    """Write to stdout; a reader that stops early (``| head``) is no error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # as Python's signal docs advise: no second error at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _print_schema(args: argparse.Namespace) -> int:
    schema = _schema_or_exit(args.flavour).json_schema()
    return _emit(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")


def _print_fixture(args: argparse.Namespace) -> int:
    schema_file = bundled_schema_path(args.flavour)
    url = schema_file.resolve().as_uri() if schema_file.is_file() else None
    return _emit(bundled_text(args.flavour, url))


def parse_sets(items: list[str], names: list[str]) -> dict[str, dict[str, Any]]:
    """``--set`` arguments as settings per flavour, each key and value checked."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise SetError(f"--set {item}: expected KEY=VALUE (e.g. --set profile=server)")
        flavour, dot, setting = key.partition(".")
        if dot and flavour in names:
            targets = [flavour]
        elif len(names) == 1:
            targets, setting = names, key
        else:
            raise SetError(
                f"--set {item}: serving {', '.join(names)}; name the flavour: "
                f"--set {names[0]}.{key}={text}"
            )
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        for name in targets:
            _check_setting(name, setting, value, item)
            out.setdefault(name, {})[setting] = value
    return out


def _check_setting(name: str, key: str, value: Any, item: str) -> None:
    schema = schema_of(name)
    node = schema.sections["settings"].node if schema and "settings" in schema.sections else None
    if not isinstance(node, Obj):
        return
    if key not in node.fields:
        allowed = ", ".join(sorted(node.fields))
        raise SetError(f"--set {item}: {name} has no setting {key!r} (allowed: {allowed})")
    report = Report()
    node.fields[key].node.validate(value, f"$.settings.{key}", report)
    if report.problems:
        raise SetError("\n".join(f"--set {item}: {path}: {problem}"
                                 for path, problem in report.problems))


# --- check-fixtures ------------------------------------------------------------------------
def check_fixture(path: str) -> FixtureFile:
    """Full validation: the shared keys, then the flavour's own schema (over the bundled data)."""
    first = read_fixture_file(path, shared=False)
    try:
        impl = flavours.get(first.flavour)
    except KeyError as exc:
        raise first.error("$.flavour", str(exc.args[0])) from None
    fixture = load_fixture(first.flavour, path)
    impl.parse_fixtures(fixture)
    return fixture


def check_command(args: argparse.Namespace) -> int:
    try:
        fixture = check_fixture(args.file)
    except FixtureError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{args.file}: ok ({fixture.flavour})")
    for line in summary(fixture, _given(args.file)):
        print(f"  {line}")
    return 0


def _given(path: str) -> dict[str, Any]:
    data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def summary(fixture: FixtureFile, given: Mapping[str, Any]) -> list[str]:
    """What will be served: entries per section (and whether they are the bundled ones), and
    the settings that differ from the defaults."""
    schema = schema_of(fixture.flavour)
    doc = fixture.checked
    if schema is None or doc is None:
        return []
    extends = given.get("extends") == "bundled"
    counts = []
    for name in schema.sections:
        value = doc.get(name)
        if name == "settings" or not isinstance(value, (list, dict)):
            continue
        if isinstance(value, dict) and isinstance(schema.sections[name].node, Obj):
            continue
        origin = ("bundled" if name not in given
                  else "bundled + file" if extends else "file")
        counts.append(f"{name}: {len(value)} ({origin})")
    lines = ["serves " + ", ".join(counts)] if counts else []
    defaults = schema.settings_defaults()
    changed = [
        f"{key}={json.dumps(value, ensure_ascii=False)}"
        for key, value in doc.get("settings", {}).items()
        if key in fixture.settings and (key not in defaults or defaults[key] != value)
    ]
    lines.append("settings that differ from the defaults: " + (", ".join(changed) or "none"))
    return lines
