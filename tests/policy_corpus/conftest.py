"""Put the pack's folder on `sys.path`, as the engine does (see tests/policy_pack/conftest.py)."""

from __future__ import annotations

import tests.policy_pack.conftest  # noqa: F401  (the pack's folder on sys.path)
