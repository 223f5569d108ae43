"""One way for every flavour to declare its routes: module-level views listed in a table.

A flavour's ``routes.py`` holds ``routes = RouteTable(...)`` and decorates module-level views
with ``@routes.route("POST", "/auth/login", **meta)``. The table is then used one of two ways,
chosen by how the real product routes:

- ``install(blueprint)``: the routes become Flask URL rules (patterns in Flask's syntax,
  ``/users/<int:id>``), for products whose router Flask's rules match (Laravel's: exact case,
  trailing slash trimmed). Flask then does the matching, 404 and 405.
- ``candidates(path)``: the flavour's own dispatcher matches (patterns in Express's syntax,
  ``/users/:id``; any case; one optional trailing slash), for products whose router Flask's
  rules cannot express (Express's). It yields every route whose pattern matches, in declaration
  order, so the dispatcher can apply the product's own rules (first method match wins, the
  ``Allow`` list of an ``OPTIONS``...).

``meta`` is the flavour's own per-route data (``auth=True``, the provider drivers a route is
mounted for...), kept on the ``Route`` for its middleware to read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from flask import Blueprint

View = TypeVar("View", bound=Callable[..., Any])

_EXPRESS_PARAM = re.compile(r":(\w+)")


@dataclass(frozen=True)
class Route:
    """One declared route."""

    methods: tuple[str, ...]
    pattern: str
    view: Callable[..., Any]
    endpoint: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: Express style only: the compiled pattern (named groups for the parameters)
    regex: re.Pattern[str] | None = None

    @property
    def method(self) -> str:
        """The first (for most routes the only) method."""
        return self.methods[0]


class RouteTable:
    """The routes of one flavour (or one part of it), in declaration order."""

    def __init__(self, *, style: Literal["flask", "express"] = "flask") -> None:
        self.style = style
        self.routes: list[Route] = []
        self._any: re.Pattern[str] | None = None
        self._any_parts: list[str] = []

    def route(
        self, methods: str | tuple[str, ...], pattern: str, *, endpoint: str | None = None,
        **meta: Any,
    ) -> Callable[[View], View]:
        """Declare ``view`` for ``methods`` (one name or a tuple) on ``pattern``."""
        verbs = (methods,) if isinstance(methods, str) else tuple(methods)

        def decorate(view: View) -> View:
            self.add(verbs, pattern, view, endpoint=endpoint, **meta)
            return view

        return decorate

    def add(
        self, methods: str | tuple[str, ...], pattern: str, view: Callable[..., Any], *,
        endpoint: str | None = None, **meta: Any,
    ) -> Route:
        """The same as the decorator, for views made elsewhere."""
        verbs = (methods,) if isinstance(methods, str) else tuple(methods)
        regex = None
        if self.style == "express":
            self._any_parts.append(
                "(?:^" + _EXPRESS_PARAM.sub("[^/]+", pattern) + "/?$)"
            )
            regex = re.compile(
                "^" + _EXPRESS_PARAM.sub(r"(?P<\1>[^/]+)", pattern) + "/?$", re.IGNORECASE
            )
            self._any = None
        name = endpoint or str(getattr(view, "__name__", "view"))
        route = Route(verbs, pattern, view, name, dict(meta), regex)
        self.routes.append(route)
        return route

    # Flask style --------------------------------------------------------------------------
    def install(self, blueprint: Blueprint, **rule_options: Any) -> None:
        """Add every route to ``blueprint`` as a Flask URL rule (``rule_options`` for all)."""
        if self.style != "flask":
            raise TypeError("install() is for flask-style tables; match express-style ones")
        for route in self.routes:
            blueprint.add_url_rule(
                route.pattern, route.endpoint, route.view, methods=list(route.methods),
                **rule_options,
            )

    def endpoints(self, blueprint_name: str, **meta: Any) -> frozenset[str]:
        """Flask endpoint names (``blueprint.endpoint``) of the routes whose meta has ``meta``."""
        return frozenset(
            f"{blueprint_name}.{r.endpoint}" for r in self.routes
            if all(r.meta.get(k) == v for k, v in meta.items())
        )

    # Express style ------------------------------------------------------------------------
    def candidates(self, path: str) -> Iterator[tuple[Route, dict[str, str]]]:
        """Every route whose pattern matches ``path``, with its raw (undecoded) parameters."""
        if self._any is None:  # one alternation: most unknown paths skip the scan at once
            self._any = re.compile("|".join(self._any_parts) or "(?!)", re.IGNORECASE)
        if self._any.match(path) is None:
            return
        for route in self.routes:
            assert route.regex is not None
            found = route.regex.match(path)
            if found is not None:
                yield route, found.groupdict()
