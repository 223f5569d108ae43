"""The declarative schema core: every problem at once, defaults, uniqueness, references and
the JSON Schema it publishes (a made-up flavour, independent of the real ones)."""

from __future__ import annotations

from typing import Any

import pytest

from authmock.fixtures import FixtureError
from authmock.schema import (
    POSITION,
    Field,
    FixtureSchema,
    ListOf,
    MapOf,
    Obj,
    Ref,
    Unique,
    Value,
    at_least,
    one_of,
    shared_settings,
)

PETS = FixtureSchema(
    flavour="pets",
    sections={
        "settings": Field(Obj({**shared_settings(),
                               "limit": Field(Value(int, rules=[at_least(1, "must be ≥ 1")]),
                                              default=5)}), default={}),
        "owners": Field(ListOf(Obj({
            "id": Field(Value(int), default=POSITION),
            "name": Field(Value(str), required=True),
        }), unique=[Unique(lambda o: o["name"].lower(), "duplicate owner {value!r}", ".name",
                           shown=lambda o: o["name"])]), default=[]),
        "pets": Field(ListOf(Obj({
            "name": Field(Value(str), required=True),
            "kind": Field(Value(str, rules=[one_of(("cat", "dog"))]), default="cat"),
            "owner": Field(Value(str, None, ref=Ref("owners", lambda o: [o["name"]],
                                                    "no owner {value!r}")), default=None),
            "tags": Field(ListOf(Value(str)), default=[]),
        })), default=[]),
        "notes": Field(MapOf(Value(str)), default={}),
    },
)


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(FixtureError) as caught:
        PETS.validate(data, "pets.json")
    return caught.value.problems


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    problems = _problems({
        "flavour": "pets",
        "settings": {"limit": 0, "colour": "red"},
        "owners": [{"name": "Ann"}, {"name": "ann"}, {"id": "x"}],
        "pets": [{"name": "Rex", "kind": "cow", "owner": "Bob", "tags": ["a", 1]}],
        "notes": {"a": 3},
    })
    assert problems == [
        ("$.settings.limit", "must be ≥ 1"),
        ("$.settings.colour", "unknown key (allowed: cors_origins, jwt_secret, limit, profile, "
                              "realistic_timing, seed)"),
        ("$.owners[2].id", "must be an integer, got \"x\""),
        ("$.owners[2]", 'missing required key "name"'),
        ("$.owners[1].name", "duplicate owner 'ann'"),
        ("$.pets[0].kind", "must be one of cat, dog"),
        ("$.pets[0].tags[1]", "must be a string, got 1"),
        ("$.notes.a", "must be a string, got 3"),
        ("$.pets[0].owner", "no owner 'Bob'"),
    ]


def test_the_error_reads_one_problem_a_line_and_keeps_the_first_as_path_and_problem() -> None:
    with pytest.raises(FixtureError) as caught:
        PETS.validate({"flavour": "pets", "pets": [{}, {"name": 1}]}, "pets.json")
    assert str(caught.value).splitlines() == [
        'pets.json: $.pets[0]: missing required key "name"',
        "pets.json: $.pets[1].name: must be a string, got 1",
    ]
    assert (caught.value.path, caught.value.problem) == ("$.pets[0]", 'missing required key "name"')


def test_defaults_are_filled_and_positions_number_ids() -> None:
    doc = PETS.validate({"flavour": "pets", "owners": [{"name": "Ann"}, {"id": 7, "name": "B"}],
                         "pets": [{"name": "Rex", "owner": "Ann"}]}, "pets.json")
    assert doc["settings"] == {"profile": "docs", "realistic_timing": False, "limit": 5}
    assert doc["owners"] == [{"name": "Ann", "id": 1}, {"id": 7, "name": "B"}]
    assert doc["pets"] == [{"name": "Rex", "owner": "Ann", "kind": "cat", "tags": []}]
    assert doc["notes"] == {}


def test_the_json_schema_says_what_the_declaration_says() -> None:
    schema = PETS.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["flavour"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"$schema", "flavour", "extends", "settings", "owners",
                                         "pets", "notes"}
    pet = schema["properties"]["pets"]["items"]
    assert pet["required"] == ["name"]
    assert pet["properties"]["kind"] == {"type": "string", "enum": ["cat", "dog"],
                                         "default": "cat"}
    assert pet["properties"]["owner"]["type"] == ["string", "null"]
    limit = schema["properties"]["settings"]["properties"]["limit"]
    assert limit == {"type": "integer", "minimum": 1, "default": 5}
    assert schema["properties"]["notes"]["additionalProperties"] == {"type": "string"}
