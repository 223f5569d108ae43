"""Declarative fixture schemas: one declaration per flavour, validated and published here.

A flavour declares its fixture document once (types, required and optional keys, defaults,
uniqueness within a list, references between sections). From that one declaration the core
1. validates a document and reports **every** problem at once (``FILE: JSON-PATH: problem``,
   one a line) instead of stopping at the first;
2. returns a normalised copy with every default filled in, so the flavour's seed builder reads
   plain values and checks nothing again;
3. writes the JSON Schema editors use to validate and complete fixture files
   (``authmock schema FLAVOUR``; the bundled fixtures point at it with ``"$schema"``).

The building blocks (``Value``, ``Obj``, ``ListOf``, ``MapOf``, ``Unique``, ``Ref``, rules) live
in ``authmock.nodes`` and are importable from here.

Why hand-written and not a library: measured on this project's machine, ``jsonschema`` took
1.6 s for a 10 000-user file (target 300 ms) and 107 ms to import; ``msgspec`` stops at the
first error; ``pydantic`` needed 200 ms to import and define one model, and its error kinds
would need a translation layer larger than this module to keep the existing messages. The
validator below checks a 10 000-user file in well under the target and adds nothing to start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from authmock import cors
from authmock.fixtures import FixtureError, FixtureFile
from authmock.nodes import (
    MISSING,
    POSITION,
    Field,
    ListOf,
    MapOf,
    Node,
    Obj,
    Ref,
    Report,
    Rule,
    Unique,
    Value,
    Verdict,
    above,
    at_least,
    one_of,
    type_problem,
)

__all__ = [
    "MISSING", "POSITION", "Field", "FixtureSchema", "ListOf", "MapOf", "Node", "Obj", "Ref",
    "Report", "Rule", "Unique", "Value", "Verdict", "above", "at_least", "one_of",
    "shared_settings", "type_problem",
]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# --- the shared part of every fixture document --------------------------------------------
def shared_settings() -> dict[str, Field]:
    """The settings every flavour shares (the core reads them), declared once."""
    return {
        "profile": Field(Value(str, rules=[one_of(("docs", "server"),
                                                  'must be "docs" or "server"')]),
                         default="docs",
                         description="behaviour profile: docs (public pages) or server"),
        "realistic_timing": Field(Value(bool), default=False,
                                  description="turn on the products' deliberate stalls"),
        "seed": Field(Value(int, str), description="makes every token, id and code reproducible"),
        "jwt_secret": Field(Value(str, None),
                            description="pin the HS256 secret instead of a random one per app"),
        cors.SETTING: Field(ListOf(Value(rules=[Rule(cors.origin_problem, {"type": "string"})])),
                            description='origins a browser app may call from (e.g. '
                            '"http://localhost:5173", or "*"); default: the loopback ones'),
    }


@dataclass
class FixtureSchema:
    """A flavour's whole fixture declaration.

    ``sections`` are the top-level keys besides ``flavour``, ``$schema`` and ``extends``;
    ``overlay_keys`` says, per list section, what identifies an entry when a file extends the
    bundled data (``{"users": lambda u: u.get("email")}``).
    """

    flavour: str
    sections: Mapping[str, Field]
    overlay_keys: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    description: str = ""

    def root(self) -> Obj:
        fields: dict[str, Field] = {
            "$schema": Field(Value(str), description="the JSON Schema this file follows"),
            "flavour": Field(Value(str, rules=[one_of((self.flavour,))]), required=True),
            "extends": Field(
                Value(str, rules=[one_of(("bundled",), 'must be "bundled" (or left out)')]),
                description='"bundled": list entries are added to the bundled ones (or replace '
                "the bundled entry with the same key) instead of replacing the whole list",
            ),
        }
        fields.update(self.sections)
        return Obj(fields, description=self.description)

    def validate(self, data: Any, source: str) -> dict[str, Any]:
        """The normalised document, or a FixtureError listing every problem."""
        report = Report()
        out = self.root().validate(data, "$", report)
        _check_refs(out, report)
        if report.problems:
            raise FixtureError.many(source, report.problems)
        result: dict[str, Any] = out
        return result

    def document(self, fixture: FixtureFile) -> dict[str, Any]:
        """``fixture``'s validated document, checked once however often it is asked for."""
        if fixture.checked is None:
            fixture.checked = self.validate(fixture.data, fixture.source)
        return fixture.checked

    def json_schema(self) -> dict[str, Any]:
        return {
            "$schema": JSON_SCHEMA_DIALECT,
            "title": f"authmock {self.flavour} fixture",
            **self.root().json_schema(),
        }

    def settings_defaults(self) -> dict[str, Any]:
        """Each declared setting's default (settings without one are left out)."""
        node = self.sections["settings"].node if "settings" in self.sections else None
        if not isinstance(node, Obj):
            return {}
        return {key: f.default for key, f in node.fields.items()
                if f.default is not MISSING and f.default is not POSITION}


def _check_refs(doc: dict[str, Any], report: Report) -> None:
    known: dict[tuple[str, int], set[Any]] = {}
    for path, value, ref in report.refs:
        cache = (ref.section, id(ref.keys))
        keys = known.get(cache)
        if keys is None:
            keys = set()
            section = doc.get(ref.section) if isinstance(doc, dict) else None
            for entry in section if isinstance(section, list) else []:
                try:
                    keys.update(_normal(ref, k) for k in ref.keys(entry))
                except (KeyError, TypeError, AttributeError):
                    continue  # an invalid entry, reported already
            known[cache] = keys
        if value in ref.allow:
            continue
        if _normal(ref, value) not in keys:
            report.add(path, ref.message.format(value=value))


def _normal(ref: Ref, value: Any) -> Any:
    try:
        return ref.normalize(value) if ref.normalize is not None else value
    except (TypeError, AttributeError):
        return value
