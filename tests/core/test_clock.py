from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from authmock.clock import Clock, isoformat, parse_duration, parse_instant


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(86400, 86400.0), ("90", 90.0), ("90s", 90.0), ("15m", 900.0), ("24h", 86400.0),
     ("7d", 604800.0), ("1w", 604800.0), ("500ms", 0.5), (timedelta(minutes=2), 120.0)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "15x", "m15", True, None, [1]])
def test_bad_durations_say_what_is_expected(bad: object) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(bad)  # type: ignore[arg-type]


def test_naive_instants_are_utc_not_local() -> None:
    assert parse_instant("2030-01-01T00:00:00") == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert parse_instant("2030-01-01T02:00:00+02:00") == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert parse_instant("2030-01-01T00:00:00Z").tzinfo is not None


def test_advance_moves_now_and_reset_returns_to_real_time() -> None:
    clock = Clock()
    before = time.time()
    clock.advance("24h")
    assert clock.time() - before == pytest.approx(86400, abs=1)
    assert clock.state()["offset_seconds"] == pytest.approx(86400, abs=1)
    clock.reset()
    assert clock.time() == pytest.approx(time.time(), abs=1)


def test_freeze_stops_time_and_advance_still_moves_it() -> None:
    clock = Clock()
    frozen = clock.freeze()
    assert clock.frozen
    assert clock.now() == frozen
    clock.advance(30)
    assert clock.now() == frozen + timedelta(seconds=30)
    clock.unfreeze()
    assert not clock.frozen
    assert clock.now() >= frozen + timedelta(seconds=30)


def test_set_jumps_to_an_instant() -> None:
    clock = Clock()
    clock.set("2031-05-06T07:08:09Z")
    expected = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    assert abs((clock.now() - expected).total_seconds()) < 1
    now = clock.state()["now"]
    assert isinstance(now, str) and now.startswith("2031-05-06T07:08:0")


def test_follows_freezegun_in_process() -> None:
    clock = Clock()
    with freeze_time("2020-02-02 12:00:00"):
        assert isoformat(clock.now()) == "2020-02-02T12:00:00.000Z"
        clock.advance("1h")
        assert isoformat(clock.now()) == "2020-02-02T13:00:00.000Z"
