"""Keeping the first of each: one problem per key, the first found being the most basic
(a structural problem before a format problem on the same key)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

_T = TypeVar("_T")


def first_per(items: Iterable[_T], key: Callable[[_T], Hashable]) -> list[_T]:
    """The items in order, without any whose key an earlier item had."""
    seen: set[Hashable] = set()
    kept = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept
