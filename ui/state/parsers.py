"""Parsers for kept values: text (from a link, or a kept value spelled as a link would) in, a value out, or
ValueError. The registry names one for every kept value."""

from collections.abc import Callable
from typing import Any


def in_range(lo: float, hi: float, cast: Callable[[str], Any]) -> Callable[[str], Any]:
    """A URL parser accepting values from `lo` to `hi`, read with `cast`."""
    def parse(raw: str) -> Any:
        value = cast(raw)
        if not lo <= value <= hi:
            raise ValueError(raw)
        return value
    return parse


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """A URL parser accepting integers from `lo` to `hi`."""
    return in_range(lo, hi, int)


def float_in(lo: float, hi: float) -> Callable[[str], float]:
    """A URL parser accepting numbers from `lo` to `hi`."""
    return in_range(lo, hi, float)


def pair_in(lo: int, hi: int) -> Callable[[str], tuple[int, int]]:
    """A URL parser for a range slider: two integers from `lo` to `hi`, given in any order."""
    def parse(raw: str) -> tuple[int, int]:
        a, b = sorted(int(p) for p in raw.strip("()[] ").split(","))  # not exactly two: ValueError
        if not lo <= a <= b <= hi:
            raise ValueError(raw)
        return a, b
    return parse


def text(max_length: int) -> Callable[[str], str]:
    """A URL parser for free text of at most `max_length` characters."""
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError("too long")
        return raw
    return parse


def flag(raw: str) -> bool:
    """A URL parser for a toggle: "True" or "False"."""
    return one_of(["True", "False"])(raw) == "True"


def one_of(options, cast: Callable[[str], Any] = str, aliases: dict[str, Any] | None = None) -> Callable[[str], Any]:
    """A URL parser accepting only the given `options` (read with `cast`), and the other spellings in `aliases`."""
    def parse(raw: str) -> Any:
        value = (aliases or {}).get(raw.strip().lower(), None)
        value = cast(raw) if value is None else value
        if value not in options:
            raise ValueError(raw)
        return value
    return parse
