"""Rounding of minutes for display and billing views: raw minutes are never changed."""

from __future__ import annotations

from collections.abc import Iterable

from worklogs.models import Rounding


def round_minutes(minutes: int, mode: str, unit: int) -> int:
    """Round whole minutes to a multiple of `unit`: `up`, `down`, `nearest` (half a unit rounds up), `none`."""
    if mode == "none" or unit <= 1:
        return minutes
    if mode == "up":
        return -(-minutes // unit) * unit
    if mode == "down":
        return minutes // unit * unit
    if mode == "nearest":
        return (2 * minutes + unit) // (2 * unit) * unit
    raise ValueError(f"unknown rounding mode {mode!r}")


def rounded_day(entry_minutes: Iterable[int], rounding: Rounding) -> int:
    """A day's rounded minutes from its entries' minutes inside that day: scope `entry` rounds each part
    before summing, scope `day` rounds the sum."""
    parts = list(entry_minutes)
    if rounding.scope == "entry":
        return sum(round_minutes(part, rounding.mode, rounding.unitMinutes) for part in parts)
    return round_minutes(sum(parts), rounding.mode, rounding.unitMinutes)
