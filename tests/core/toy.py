"""A tiny flavour that exercises the core without depending on any real product."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Request, Response, request

from authmock.app import Mock
from authmock.faults import CatalogueEntry
from authmock.fixtures import FixtureFile
from authmock.flavour import Flavour, register
from authmock.scenarios import ScenarioError, unknown_user
from authmock.tokens import decode_unverified


class ToyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Toy(Flavour):
    name = "toy"
    default_port = 18999
    max_content_length = 1024
    #: not the conventional ``fixture.json``: a flavour may name its bundled file (relative
    #: to its module's directory); a flavour package installed from elsewhere brings it along
    bundled_fixture = "toy.fixture.json"

    def parse_fixtures(self, fixture: FixtureFile) -> list[dict[str, Any]]:
        users = fixture.get(fixture.data, "users", list, "$")
        for i, user in enumerate(users):
            fixture.expect(user, dict, f"$.users[{i}]")
            fixture.get(user, "email", str, f"$.users[{i}]")
            fixture.get(user, "totp", str, f"$.users[{i}]", default=None)
        return users

    def setup(self, mock: Mock) -> None:
        users = mock.store.table("users", {u["email"]: {**u, "logins": 0} for u in mock.seed})
        bp = Blueprint("toy", __name__)

        @bp.post("/login/<email>")
        def login(email: str) -> Any:
            user = users.get(email)
            if user is None:
                mock.reason("unknown user")
                raise ToyError(401, "no such user")
            users.put(email, {**user, "logins": user["logins"] + 1})
            if request.args.get("explode"):
                raise RuntimeError("boom after a write")
            mock.mailbox.send(email, "Welcome", f"Hello, see http://x.test/r?t={mock.rng.hex(4)}")
            token = mock.tokens.encode({"sub": email, "exp": int(mock.clock.time()) + 60})
            return {"logins": users[email]["logins"], "token": token}

        @bp.get("/check")
        def check() -> Any:
            verified = mock.tokens.verify(request.args.get("token", ""))
            return {"refusal": verified.refusal.value if verified.refusal else None}

        @bp.post("/slow")
        def slow() -> Any:
            mock.stall(0.01)
            return {"ok": True}

        mock.app.register_blueprint(bp)
        mock.app.register_error_handler(ToyError, self._toy_error)

    @staticmethod
    def _toy_error(error: ToyError) -> Response:
        return Response(json.dumps({"toy_error": error.message}), error.status,
                        mimetype="application/json")

    def render_error(self, status: int, error: BaseException | None) -> Response:
        return Response(json.dumps({"toy_error": status}), status, mimetype="application/json")

    def banner(self, mock: Mock, url: str) -> list[str]:
        return [f"users: {', '.join(u['email'] for u in mock.seed)}"]

    def error_catalogue(self, mock: Mock) -> Mapping[str, CatalogueEntry]:
        return {
            "NO_SUCH_USER": CatalogueEntry(
                401, "login of an unknown user",
                lambda: self._toy_error(ToyError(401, "no such user")),
            ),
        }

    def request_user(self, mock: Mock, request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        decoded = decode_unverified(header[7:])
        if not isinstance(decoded, tuple):
            return None
        sub = decoded[1].get("sub")
        return sub if isinstance(sub, str) else None

    def user_scenario(
        self, mock: Mock, email: str, verb: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        users = mock.store["users"]
        user = users.get(email)
        if user is None:
            raise unknown_user(email)
        if verb == "status":
            if body.get("status") not in ("active", "suspended"):
                raise ScenarioError(400, '"status" must be one of: active, suspended')
            users.put(email, {**user, "status": body["status"]})
            return {"status": body["status"]}
        return {}

    def totp_secret(self, mock: Mock, email: str) -> str | None:
        user = mock.store["users"].get(email)
        return user.get("totp") if user else None


#: the toy's bundled fixture (its ``bundled_fixture`` file), as a dict the tests pass around
TOY_FIXTURES: dict[str, Any] = json.loads(
    (Path(__file__).parent / Toy.bundled_fixture).read_text(encoding="utf-8")
)

register(Toy())
