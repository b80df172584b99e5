"""Fixtures for the WABA event destination tests: the local doubles of AWS, and what
the provider tells the engine's log."""

import pulumi
import pytest

from tests.fakes.fixtures import aws, emulator_server, moto_server, socialmessaging


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What the provider tells the engine's log, as (level, message)."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: seen.append(("warn", msg)))
    monkeypatch.setattr(pulumi.log, "info", lambda msg, *a, **k: seen.append(("info", msg)))
    return seen


__all__ = ["aws", "emulator_server", "logs", "moto_server", "socialmessaging"]
