"""The shared route table: both ways a flavour uses it."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from authmock.routing import RouteTable


def test_flask_style_routes_become_url_rules_with_their_meta() -> None:
    routes = RouteTable()

    @routes.route("POST", "/login", auth=False)
    def login() -> str:
        return "in"

    @routes.route(("GET", "PUT"), "/users/<int:id>", auth=True)
    def user(id: int) -> str:
        return f"user {id}"

    bp = Blueprint("toy", __name__)
    routes.install(bp, strict_slashes=False)
    app = Flask(__name__)
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.post("/login").text == "in"
    assert client.put("/users/7/").text == "user 7"
    assert client.post("/users/7").status_code == 405
    assert routes.endpoints("toy", auth=True) == {"toy.user"}


def test_express_style_matches_any_case_and_one_trailing_slash_in_order() -> None:
    routes = RouteTable(style="express")

    def first() -> None: ...
    def second() -> None: ...

    routes.add("GET", "/items/:collection", first)
    routes.add("POST", "/items/:collection", second, drivers=("x",))
    found = list(routes.candidates("/ITEMS/a%20b/"))
    assert [(r.view, r.method, p) for r, p in found] == [
        (first, "GET", {"collection": "a%20b"}),
        (second, "POST", {"collection": "a%20b"}),
    ]
    assert found[1][0].meta == {"drivers": ("x",)}
    assert list(routes.candidates("/items/a/b")) == []
    assert list(routes.candidates("/items/a//")) == []


def test_an_express_table_cannot_be_installed_as_flask_rules() -> None:
    with pytest.raises(TypeError, match="flask-style"):
        RouteTable(style="express").install(Blueprint("x", __name__))
