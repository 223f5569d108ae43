"""Messages the fake "sent": reset links, confirmation codes.

Backed by a store table, so a request that fails sends nothing and ``reset()`` empties it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from authmock.clock import Clock, isoformat
from authmock.store import Store

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Message:
    id: int
    to: str
    subject: str
    text: str
    links: list[str] = field(default_factory=list)
    token: str | None = None
    sent_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "links": list(self.links),
            "token": self.token,
            "sent_at": self.sent_at,
        }


class Mailbox:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._table = store.table("__mailbox__")

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        *,
        token: str | None = None,
        links: list[str] | None = None,
    ) -> Message:
        """Deliver a message; links default to every URL found in ``text``."""
        message = Message(
            id=self._store.next_id("__mailbox__"),
            to=to,
            subject=subject,
            text=text,
            links=list(links) if links is not None else _URL.findall(text),
            token=token,
            sent_at=isoformat(self._clock.now()),
        )
        self._table.put(message.id, message)
        return message

    def messages(self, to: str | None = None) -> list[Message]:
        """Oldest first; ``to`` matches case-insensitively."""
        with self._store.lock:
            found: list[Message] = list(self._table.values())
        if to is not None:
            wanted = to.casefold()
            found = [m for m in found if m.to.casefold() == wanted]
        return found

    def last(self, to: str | None = None) -> Message | None:
        found = self.messages(to)
        return found[-1] if found else None

    def clear(self) -> None:
        with self._store.lock:
            self._table.clear()

    def __len__(self) -> int:
        return len(self._table)
