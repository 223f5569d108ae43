"""The building blocks of a fixture declaration (``authmock.schema`` puts them together).

Each node validates a value, reporting every problem with its JSON path into a ``Report``
instead of raising at the first, returns the value normalised (defaults filled in), and
writes its part of the JSON Schema.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MISSING: Any = object()
#: the default of an ``id`` that is the entry's 1-based position in its list
POSITION: Any = object()

_TYPE_NAMES: dict[Any, str] = {
    str: "a string",
    bool: "true or false",
    int: "an integer",
    float: "a number",
    list: "an array",
    dict: "an object",
    None: "null",
    type(None): "null",  # as the hand-written checks (authmock.fixtures) spell it
}
_JSON_TYPES: dict[Any, str] = {
    str: "string", bool: "boolean", int: "integer", float: "number", list: "array",
    dict: "object", None: "null",
}

#: a rule's answer: None (fine), a problem at the value's own path, or (suffix, problem) pairs
Verdict = str | Iterable[tuple[str, str]] | None


class Report:
    """The problems found so far, in document order, plus references to check at the end."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self.refs: list[tuple[str, Any, Ref]] = []

    def add(self, path: str, problem: str) -> None:
        self.problems.append((path, problem))

    def verdict(self, path: str, answer: Verdict) -> bool:
        """Record a rule's answer; True when it found nothing wrong."""
        if answer is None:
            return True
        if isinstance(answer, str):
            self.add(path, answer)
            return False
        found = False
        for suffix, problem in answer:
            self.add(path + suffix, problem)
            found = True
        return not found


@dataclass(frozen=True)
class Rule:
    """A check beyond the type: ``check(value)`` answers a Verdict; ``schema`` is what JSON
    Schema can say of it (``{"minimum": 1}``, ``{"enum": [...]}``), if anything."""

    check: Callable[[Any], Verdict]
    schema: Mapping[str, Any] = field(default_factory=dict)


def one_of(values: Iterable[Any], message: str | None = None,
           normalize: Callable[[Any], Any] | None = None) -> Rule:
    """The value (after ``normalize``) must be one of ``values``."""
    allowed = tuple(values)
    text = message or f"must be one of {', '.join(str(v) for v in allowed)}"

    def check(value: Any) -> Verdict:
        probe = normalize(value) if normalize is not None and value is not None else value
        return None if probe in allowed else text

    return Rule(check, {} if normalize is not None else {"enum": list(allowed)})


def at_least(limit: float, message: str) -> Rule:
    return Rule(lambda v: None if v is None or v >= limit else message, {"minimum": limit})


def above(limit: float, message: str) -> Rule:
    return Rule(lambda v: None if v is None or v > limit else message, {"exclusiveMinimum": limit})


@dataclass(frozen=True)
class Ref:
    """The value must name an entry of another list section (``section``), found by ``keys``
    (each entry's keys: ``lambda role: [role["name"]]``); ``message`` formats ``{value!r}``."""

    section: str
    keys: Callable[[dict[str, Any]], Iterable[Any]]
    message: str
    normalize: Callable[[Any], Any] | None = None
    allow: tuple[Any, ...] = ()


class _Everything(frozenset[Any]):
    def __contains__(self, item: object) -> bool:
        return True


_EVERY = _Everything()
_EXACT: dict[Any, tuple[type, ...]] = {
    str: (str,), int: (int,), float: (int, float), bool: (bool,), None: (type(None),),
    list: (list,), dict: (dict,),
}


class Node:
    """One declared value. ``validate`` returns the normalised value (defaults filled)."""

    description: str | None = None
    #: the exact Python types a value passes with no further check (an object's keys skip
    #: the call for them: a 10 000-user file has 160 000 such values); None: always validate
    fast: frozenset[Any] | None = None

    def validate(self, value: Any, path: str, report: Report) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _described(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            schema["description"] = self.description
        return schema


def _kind_ok(value: Any, kinds: tuple[Any, ...]) -> bool:
    """The JSON type test of ``FixtureFile.expect``: bool is never a number here."""
    if value is None:
        return None in kinds
    if value is True or value is False:
        return bool in kinds
    if isinstance(value, int):
        return int in kinds or float in kinds
    if isinstance(value, float):
        return float in kinds
    return any(k is not None and k not in (bool, int, float) and isinstance(value, k)
               for k in kinds)


def type_problem(value: Any, kinds: tuple[Any, ...]) -> str:
    wanted = " or ".join(_TYPE_NAMES.get(k, getattr(k, "__name__", str(k))) for k in kinds)
    return f"must be {wanted}, got {json.dumps(value)[:60]}"


class Value(Node):
    """A value of one of ``kinds`` (``str``, ``int``, ``float``, ``bool``, ``None``, ``list``,
    ``dict``; no kinds: anything), then each rule; ``ref`` names another section's entry."""

    def __init__(self, *kinds: Any, rules: Iterable[Rule] = (), ref: Ref | None = None,
                 description: str | None = None, schema: Mapping[str, Any] | None = None) -> None:
        self.kinds = kinds
        self.rules = tuple(rules)
        self.ref = ref
        self.description = description
        self.schema = dict(schema or {})
        exact = frozenset(t for k in kinds for t in _EXACT.get(k, ()))
        self._exact = exact if kinds else _EVERY
        if not self.rules and ref is None:
            self.fast = self._exact

    def validate(self, value: Any, path: str, report: Report) -> Any:
        if type(value) not in self._exact and not _kind_ok(value, self.kinds):
            report.add(path, type_problem(value, self.kinds))
            return value
        for rule in self.rules:
            if not report.verdict(path, rule.check(value)):
                return value
        if self.ref is not None and value is not None:
            report.refs.append((path, value, self.ref))
        return value

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {}
        if self.kinds:
            types = [_JSON_TYPES[k] for k in self.kinds]
            if "integer" in types and "number" in types:
                types.remove("integer")
            schema["type"] = types[0] if len(types) == 1 else types
        for rule in self.rules:
            schema.update(rule.schema)
        schema.update(self.schema)
        return self._described(schema)


@dataclass
class Field:
    """A key of an object: its node, required or not, and its default when absent."""

    node: Node
    required: bool = False
    default: Any = MISSING
    description: str | None = None


class Obj(Node):
    """An object with declared keys; unknown keys are refused unless ``extra`` is given.

    ``rules`` run on the whole object once its keys are fine (e.g. "needs a or b").
    """

    def __init__(self, fields: Mapping[str, Field], *, extra: Node | None = None,
                 rules: Iterable[Rule] = (), description: str | None = None,
                 unknown: str | None = None) -> None:
        self.fields = dict(fields)
        self.extra = extra
        self.rules = tuple(rules)
        self.description = description
        self._unknown = unknown or f"unknown key (allowed: {', '.join(sorted(self.fields))})"
        self.position_fields = [k for k, f in self.fields.items() if f.default is POSITION]
        self._required = [k for k, f in self.fields.items() if f.required]
        defaults = [(k, f) for k, f in self.fields.items()
                    if not f.required and f.default is not MISSING and f.default is not POSITION]
        #: immutable defaults (the normalised object lists them first, then the given keys)
        self._plain_defaults = {k: f.default for k, f in defaults
                                if not isinstance(f.default, (list, dict))}
        #: (key, default, node to fill it through): lists and objects, copied for each use
        self._copied_defaults = [(k, f.default, f.node) for k, f in defaults
                                 if isinstance(f.default, (list, dict))]

    def validate(self, value: Any, path: str, report: Report) -> Any:
        if not isinstance(value, dict):
            report.add(path, type_problem(value, (dict,)))
            return value
        before = len(report.problems)
        out: dict[str, Any] = {}
        fields = self.fields
        present = 0
        for key, item in value.items():
            declared = fields.get(key)
            if declared is not None:
                present += 1
                node = declared.node
                fast = node.fast
                if fast is not None and type(item) in fast:
                    out[key] = item
                else:
                    out[key] = node.validate(item, f"{path}.{key}", report)
            elif self.extra is not None:
                out[key] = self.extra.validate(item, f"{path}.{key}", report)
            else:
                report.add(f"{path}.{key}", self._unknown)
        if present < len(fields):
            for key in self._required:
                if key not in value:
                    report.add(path, f"missing required key \"{key}\"")
            if self._plain_defaults:  # one C-level merge instead of a loop (users: ~20 keys)
                out = {**self._plain_defaults, **out}
            for key, default, filler in self._copied_defaults:
                if key in value:
                    continue
                default = copy.copy(default)
                if isinstance(filler, Obj):  # its own keys' defaults apply too
                    default = filler.validate(default, f"{path}.{key}", report)
                out[key] = default
        if len(report.problems) == before:
            for rule in self.rules:
                report.verdict(path, rule.check(out))
        return out

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for key, declared in self.fields.items():
            schema = declared.node.json_schema()
            if declared.description:
                schema["description"] = declared.description
            if declared.default is not MISSING and declared.default is not POSITION:
                schema["default"] = declared.default
            properties[key] = schema
        out: dict[str, Any] = {"type": "object", "properties": properties}
        required = [key for key, declared in self.fields.items() if declared.required]
        if required:
            out["required"] = required
        out["additionalProperties"] = self.extra.json_schema() if self.extra is not None else False
        return self._described(out)


@dataclass(frozen=True)
class Unique:
    """Entries of a list must differ in ``key(entry)`` (None: not compared). The problem is
    reported at ``entry_path + at`` with ``message`` formatted with ``{value!r}``/``{value}``."""

    key: Callable[[dict[str, Any]], Any]
    message: str
    at: str = ""
    #: what the message shows (default: the key)
    shown: Callable[[dict[str, Any]], Any] | None = None


class ListOf(Node):
    """An array of ``item``; ``unique`` declares what must differ between entries."""

    def __init__(self, item: Node, *, unique: Iterable[Unique] = (),
                 description: str | None = None) -> None:
        self.item = item
        self.unique = tuple(unique)
        self.description = description

    def validate(self, value: Any, path: str, report: Report) -> Any:
        if not isinstance(value, list):
            report.add(path, type_problem(value, (list,)))
            return value
        item = self.item
        out = [
            item.validate(entry, f"{path}[{index}]", report) for index, entry in enumerate(value)
        ]
        positions = item.position_fields if isinstance(item, Obj) else ()
        for name in positions:
            for index, entry in enumerate(out):
                if isinstance(entry, dict) and name not in entry:
                    entry[name] = index + 1
        for unique in self.unique:
            seen: set[Any] = set()
            for index, entry in enumerate(out):
                if not isinstance(entry, dict):
                    continue
                try:
                    key = unique.key(entry)
                except (KeyError, TypeError, AttributeError):
                    continue  # the entry's own problem is reported already
                if key is None:
                    continue
                if key in seen:
                    shown = unique.shown(entry) if unique.shown is not None else key
                    report.add(f"{path}[{index}]{unique.at}", unique.message.format(value=shown))
                seen.add(key)
        return out

    def json_schema(self) -> dict[str, Any]:
        return self._described({"type": "array", "items": self.item.json_schema()})


class MapOf(Node):
    """An object whose keys are names the user picks (tables, collections): each value is
    ``value``; ``key_ref`` makes every key name another section's entry."""

    def __init__(self, value: Node, *, key_ref: Ref | None = None,
                 key_rules: Iterable[Rule] = (), description: str | None = None) -> None:
        self.value = value
        self.key_ref = key_ref
        self.key_rules = tuple(key_rules)
        self.description = description

    def validate(self, value: Any, path: str, report: Report) -> Any:
        if not isinstance(value, dict):
            report.add(path, type_problem(value, (dict,)))
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            where = f"{path}.{key}"
            if not all(report.verdict(where, rule.check(key)) for rule in self.key_rules):
                continue
            if self.key_ref is not None:
                report.refs.append((where, key, self.key_ref))
            out[key] = self.value.validate(item, where, report)
        return out

    def json_schema(self) -> dict[str, Any]:
        return self._described({"type": "object", "additionalProperties": self.value.json_schema()})
