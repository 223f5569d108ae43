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
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING

from authmock import __version__, banner, cors
from authmock import flavour as flavours
from authmock.app import MockFlask, create_app
from authmock.cli_fixtures import (
    SetError,
    add_commands,
    add_set_option,
    check_command,
    parse_sets,
)
from authmock.fixtures import FixtureError, read_fixture_file
from authmock.server import LiveServer, LoggingHandler, is_loopback

if TYPE_CHECKING:
    from authmock.watch import FixtureWatcher


class CliError(Exception):
    """A one-line message for the user; exit status 1."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authmock",
        description="Offline fakes of the DreamFactory, Directus and Paystub auth APIs.",
    )
    parser.add_argument("--version", action="version", version=f"authmock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = _serve_parser(commands)
    parser.set_defaults(serve_parser=serve)
    check = commands.add_parser(
        "check-fixtures", help="validate a fixture file and show what it will serve"
    )
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=check_command)
    add_commands(commands)
    return parser


def _serve_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    serve = commands.add_parser("serve", help="serve one or more flavours")
    serve.add_argument(
        "--flavour", action="append", choices=flavours.available(), metavar="NAME",
        help="flavour to serve (repeatable; default: all). One of: %(choices)s",
    )
    serve.add_argument(
        "--port", action="append", type=port_option, default=[], metavar="[NAME=]PORT",
        help="port of one flavour, e.g. --port directus=9055 (repeatable); a bare PORT needs "
        "exactly one --flavour; 0 picks a free port",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
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
    serve.add_argument(
        "--no-reason-header", dest="reason_header", action="store_false", default=None,
        help="do not send X-Authmock-Reason on 4xx answers (byte-exact runs; the journal "
        "keeps the reason)",
    )
    serve.add_argument(
        "--cors", choices=("on", "off"), default="on",
        help="on (default): loopback origins, or those of --cors-origin, may call with "
        "credentials; off: the real product's CORS default",
    )
    serve.add_argument(
        "--cors-origin", action="append", type=cors_origin_option, metavar="ORIGIN",
        help="an allowed origin such as http://localhost:5173 or * (repeatable; replaces the "
        "loopback list and each fixture's settings.cors_origins)",
    )
    serve.add_argument(
        "--watch", action="store_true",
        help="reload a --fixtures file when it changes (clock and live sessions are kept)",
    )
    add_set_option(serve)
    return serve


def port_option(text: str) -> tuple[str | None, int]:
    """``PORT`` or ``NAME=PORT``; argparse turns the ValueError into a usage error (exit 2)."""
    name: str | None = None
    number = text
    if "=" in text:
        name, number = text.split("=", 1)
        if name not in flavours.available():
            raise argparse.ArgumentTypeError(
                f"unknown flavour {name!r} in {text!r} "
                f"(one of: {', '.join(flavours.available())})"
            )
    if not number.isdigit() or int(number) > 65535:
        raise argparse.ArgumentTypeError(
            f"invalid port {number!r} in {text!r}: a number from 0 (any free port) to 65535"
        )
    return name, int(number)


def cors_origin_option(text: str) -> str:
    problem = cors.origin_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _ports(args: argparse.Namespace, names: list[str]) -> dict[str, int]:
    """Each served flavour's port: its product's default unless --port moves it."""
    ports = {name: flavours.get(name).default_port for name in names}
    seen: set[str | None] = set()
    for name, number in args.port:
        if name is None and len(names) != 1:
            args.serve_parser.error(
                "--port N needs exactly one --flavour; move one flavour with --port NAME=N"
            )
        target = name or names[0]
        if target not in names:
            args.serve_parser.error(f"--port {name}={number}: {name} is not being served")
        if target in seen:
            args.serve_parser.error(f"--port given twice for {target}")
        seen.add(target)
        ports[target] = number
    return ports


def _fixture_files(args: argparse.Namespace, names: list[str]) -> dict[str, str]:
    """Each --fixtures file by the flavour it names (one file a flavour, a served one)."""
    by_flavour: dict[str, str] = {}
    for path in args.fixtures:
        fixture = read_fixture_file(path, shared=False)  # create_app reports every problem
        if fixture.flavour not in names:
            raise CliError(f"{path}: $.flavour: \"{fixture.flavour}\" is not being served")
        if fixture.flavour in by_flavour:
            raise CliError(f"{path}: a second fixture file for {fixture.flavour}")
        by_flavour[fixture.flavour] = path
    return by_flavour


def _control_token(args: argparse.Namespace) -> str | None:
    """--control-token, or a fresh one (and a warning) when bound beyond loopback."""
    token: str | None = args.control_token
    if token is None and not is_loopback(args.host):
        # Deliberately not from the app's seeded source: a seeded token would be guessable.
        token = secrets.token_urlsafe(24)
    if not is_loopback(args.host):
        print(f"authmock: warning: --host {args.host} makes these fakes (and their well-known "
              "fixture passwords) reachable from other machines; the control API needs the "
              "control token printed below", file=sys.stderr, flush=True)
    return token


def _listen(app: MockFlask, name: str, host: str, port: int) -> LiveServer:
    """A bound (not yet started) server; a busy or forbidden port is a one-line CliError."""
    try:
        return LiveServer(app, host, port, handler=LoggingHandler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"port {port} on {host} is already in use ({name}); "
                f"stop what uses it or move {name} with --port {name}=N"
            ) from None
        raise CliError(f"cannot listen on {host}:{port} ({name}): {exc.strerror}") from None


def _serve(args: argparse.Namespace) -> int:
    names: list[str] = list(dict.fromkeys(args.flavour or flavours.available()))
    ports = _ports(args, names)
    if args.cors == "off" and args.cors_origin:
        args.serve_parser.error("--cors-origin needs --cors on (off is the product's default)")
    if args.watch and not args.fixtures:
        args.serve_parser.error("--watch needs a --fixtures FILE to watch")
    by_flavour = _fixture_files(args, names)
    sets = parse_sets(args.set, names)
    token = _control_token(args)
    seed: int | str | None = args.seed
    if isinstance(seed, str) and seed.isdigit():
        seed = int(seed)

    def build(name: str) -> MockFlask:
        return create_app(
            name, fixtures=by_flavour.get(name), profile=args.profile,
            control_token=token, seed=seed, cors=args.cors == "on",
            cors_origins=args.cors_origin, settings=sets.get(name),
            reason_header=args.reason_header,
        )

    if args.watch:  # only then: the watcher's module is not needed to serve
        from authmock.watch import FixtureWatcher, Watched, fingerprint
    # taken before the apps read the files, so that --watch misses no edit made meanwhile
    seen = {path: fingerprint(path) for path in by_flavour.values()} if args.watch else {}
    servers: list[LiveServer] = []
    watcher: FixtureWatcher | None = None
    try:
        for name in names:
            servers.append(_listen(build(name), name, args.host, ports[name]))
        if args.watch:
            watcher = FixtureWatcher([
                Watched(
                    by_flavour[server.mock.name], server, partial(build, server.mock.name),
                    seen=seen[by_flavour[server.mock.name]],
                )
                for server in servers if server.mock.name in by_flavour
            ])
        _print_banner(servers, token)
        if watcher is not None:
            watcher.start()
        return _run_until_stopped(servers)
    finally:
        if watcher is not None:
            watcher.stop()
        for server in servers:
            server.stop()


def _print_banner(servers: list[LiveServer], token: str | None) -> None:
    parts = [banner.flavour_part(server.mock, server.url) for server in servers]
    print(banner.render(parts, token), flush=True)


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
        handler = getattr(args, "handler", None)
        if handler is not None:
            return int(handler(args))
        return _serve(args)
    except (FixtureError, CliError, SetError) as exc:
        print(f"authmock: {exc}", file=sys.stderr)
        return 1
