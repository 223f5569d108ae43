"""``authmock serve`` and ``authmock check-fixtures``.

Usage mistakes exit 2 with argparse's one-line message; a bad fixture file or a busy port
exits 1 with one line naming the problem; Ctrl-C and SIGTERM stop cleanly with status 0.
"""

from __future__ import annotations

import argparse
import errno
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from authmock import __version__
from authmock import flavour as flavours
from authmock.app import CONTROL_PREFIX, create_app
from authmock.fixtures import FixtureError, FixtureFile, read_fixture_file
from authmock.server import LiveServer, LoggingHandler, is_loopback


class CliError(Exception):
    """A one-line message for the user; exit status 1."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authmock",
        description="Offline fakes of the DreamFactory, Directus and Paystub auth APIs.",
    )
    parser.add_argument("--version", action="version", version=f"authmock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve one or more flavours")
    serve.add_argument(
        "--flavour", action="append", choices=flavours.available(), metavar="NAME",
        help="flavour to serve (repeatable; default: all). One of: %(choices)s",
    )
    serve.add_argument("--port", type=int, help="port (only with a single --flavour)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument(
        "--fixtures", action="append", metavar="FILE", default=[],
        help="fixture file (repeatable; each applies to the flavour it names)",
    )
    serve.add_argument("--profile", choices=("docs", "server"), help="behaviour profile")
    serve.add_argument(
        "--control-token", metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' on the control API "
        "(generated when binding to a non-loopback address)",
    )
    serve.add_argument("--seed", help="seed for every random value (reproducible runs)")

    parser.set_defaults(serve_parser=serve)
    check = commands.add_parser("check-fixtures", help="validate a fixture file")
    check.add_argument("file", metavar="FILE")
    return parser


def check_fixture(path: str) -> FixtureFile:
    """Full validation: the shared keys, then the flavour's own schema."""
    fixture = read_fixture_file(path)
    try:
        impl = flavours.get(fixture.flavour)
    except KeyError as exc:
        raise fixture.error("$.flavour", str(exc.args[0])) from None
    impl.parse_fixtures(fixture)
    return fixture


def _check(args: argparse.Namespace) -> int:
    try:
        fixture = check_fixture(args.file)
    except FixtureError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{args.file}: ok ({fixture.flavour})")
    return 0


def _serve(args: argparse.Namespace) -> int:
    names: list[str] = list(dict.fromkeys(args.flavour or flavours.available()))
    if args.port is not None and len(names) != 1:
        args.serve_parser.error("--port needs exactly one --flavour")
    by_flavour: dict[str, str] = {}
    for path in args.fixtures:
        fixture = read_fixture_file(path)
        if fixture.flavour not in names:
            raise CliError(f"{path}: $.flavour: \"{fixture.flavour}\" is not being served")
        if fixture.flavour in by_flavour:
            raise CliError(f"{path}: a second fixture file for {fixture.flavour}")
        by_flavour[fixture.flavour] = path

    token = args.control_token
    if token is None and not is_loopback(args.host):
        # Deliberately not from the app's seeded source: a seeded token would be guessable.
        token = secrets.token_urlsafe(24)
    if not is_loopback(args.host):
        print(f"authmock: warning: --host {args.host} makes these fakes (and their well-known "
              "fixture passwords) reachable from other machines; the control API needs the "
              "control token printed below", file=sys.stderr, flush=True)
    seed: int | str | None = args.seed
    if isinstance(seed, str) and seed.isdigit():
        seed = int(seed)

    servers: list[LiveServer] = []
    try:
        for name in names:
            app = create_app(
                name, fixtures=by_flavour.get(name), profile=args.profile,
                control_token=token, seed=seed,
            )
            port = args.port if args.port is not None else flavours.get(name).default_port
            try:
                servers.append(LiveServer(app, args.host, port, handler=LoggingHandler))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise CliError(
                        f"port {port} on {args.host} is already in use ({name}); "
                        f"stop what uses it or pick another with --flavour {name} --port N"
                    ) from None
                raise CliError(f"cannot listen on {args.host}:{port} ({name}): {exc.strerror}") from None
        _print_banner(servers, token)
        return _run_until_stopped(servers)
    finally:
        for server in servers:
            server.stop()


def _print_banner(servers: list[LiveServer], token: str | None) -> None:
    lines = [f"authmock {__version__}"]
    for server in servers:
        mock = server.mock
        lines.append("")
        lines.append(f"{mock.name}  {server.url}  (profile {mock.profile})")
        lines.append(f"  control API: {server.url}{CONTROL_PREFIX}/health")
        lines.extend(f"  {line}" for line in mock.flavour.banner(mock, server.url))
    if token is not None:
        lines.append("")
        lines.append(f"control token: {token}  (send 'Authorization: Bearer <token>')")
    lines.append("")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)


def _run_until_stopped(servers: list[LiveServer]) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        for server in servers:
            server.start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("authmock stopped.", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check-fixtures":
            return _check(args)
        return _serve(args)
    except (FixtureError, CliError) as exc:
        print(f"authmock: {exc}", file=sys.stderr)
        return 1
