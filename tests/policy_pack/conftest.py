"""Put the pack's folder on `sys.path`, as the engine does, so tests import `rules`.

The engine runs the pack with its folder on `sys.path`; the folder name has hyphens, so
it cannot be imported as a package path and is put on the path the same way here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from destination_review.policy_analyzer import PACK_DIR, PolicyPackServer

if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))


@pytest.fixture(scope="module")
def server() -> Iterator[PolicyPackServer]:
    """The pack started as the engine starts it, one process per test module."""
    with PolicyPackServer() as running:
        yield running
