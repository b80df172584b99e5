"""The long fuzz run of the settings and the stack-file reader, and how reading a stack
file grows with its size: `python -m benchmarks.settings_fuzz [--examples N]`.

First table: the suite's properties (tests/test_settings_fuzz.py) over N random examples
each (not derandomised): examples run and failures found. Second table: the time to read
stack files of n destinations, and of an n-level alias bomb, as ratios to the smallest;
a linear reader doubles when n doubles, and every bomb stops at the alias bound.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings

from destination_review.stack_file import YamlError, load
from tests.settings_strategies import AWS, RAW, STACK_FILES
from tests.test_settings_fuzz import settings_outcome, stack_file_outcome


def fuzz(examples: int) -> list[tuple[str, int, str]]:
    rows = []
    long_run = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    properties: list[tuple[str, Callable[[], None]]] = [
        ("settings: a SettingsError or the settings", given(RAW, AWS)(settings_outcome)),
        ("stack file: read or refused within the bound", given(STACK_FILES)(stack_file_outcome)),
    ]
    for name, prop in properties:
        try:
            long_run(prop)()
            rows.append((name, examples, "none"))
        except Exception as error:  # noqa: BLE001 - the benchmark reports the failure
            rows.append((name, examples, f"{type(error).__name__}: {str(error)[:80]}"))
    return rows


def _stack(n: int) -> str:
    items = "".join(
        f"    - {{wabaId: waba-{i:032x}, type: sns, takeover: false}}\n" for i in range(n)
    )
    return f"config:\n  proj:destinations:\n{items}"


def _bomb(levels: int) -> str:
    text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in range(1, levels + 1):
        text += f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]\n"
    return text


def _seconds(text: str) -> float:
    start = time.perf_counter()
    try:
        load(text)
    except YamlError:
        pass
    return time.perf_counter() - start


def growth() -> list[tuple[str, int, int, float]]:
    rows: list[tuple[str, int, int, float]] = []
    for shape, build, sizes in (
        ("destinations", _stack, (1_000, 2_000, 4_000, 8_000)),
        ("alias bomb levels", _bomb, (4, 8, 16, 32)),
    ):
        base: Any = None
        for n in sizes:
            text = build(n)
            seconds = min(_seconds(text) for _ in range(3))
            base = base or seconds
            rows.append((shape, n, len(text), seconds / base))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=5_000)
    args = parser.parse_args()
    print(f"{'property':48} {'examples':>9}  failure")
    for name, examples, failure in fuzz(args.examples):
        print(f"{name:48} {examples:>9}  {failure}")
    print()
    print(f"{'shape':20} {'n':>6} {'bytes':>8} {'time / smallest':>16}")
    for shape, n, size, ratio in growth():
        print(f"{shape:20} {n:>6} {size:>8} {ratio:>16.2f}")


if __name__ == "__main__":
    main()
