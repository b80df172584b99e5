"""Fixtures for the consumer's tests; the machinery lives in consumer_harness.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from consumer_harness import ProgramRun, reset_runtime, run_program


@pytest.fixture
def run_consumer() -> Iterator[Callable[..., ProgramRun]]:
    """Run the consumer program under mocks (any number of times), then reset the runtime."""
    yield run_program
    reset_runtime()
