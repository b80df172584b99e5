"""Fixtures of the live check's tests: the doubles of AWS, the command run in-process
with its --json read back, and a record of every AWS operation any client makes, which
must never hold a write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from destination_review.doctor import main
from tests.fakes.fixtures import AwsDoubles, aws, emulator_server, moto_server, socialmessaging

# What a read-only command must never call (the brief of the check, and its docs).
WRITE_PREFIXES = ("Put", "Tag", "Untag", "Set", "Create", "Delete")


@pytest.fixture(autouse=True)
def operations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every operation name any botocore client makes during the test (its code and
    the builders alike), checked afterwards for writes made by the live check."""
    made: list[str] = []
    original = BaseClient._make_api_call

    def record(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        made.append(f"{self.meta.service_model.service_name}:{operation_name}")
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    yield made


class Doctor:
    """The command, in-process, with the operations it made."""

    def __init__(self, made: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        self._made = made
        self._capsys = capsys
        self.calls: list[str] = []

    def __call__(
        self, *args: str, session: boto3.session.Session | None = None
    ) -> tuple[int, dict[str, Any]]:
        self._capsys.readouterr()
        start = len(self._made)
        code = main(["--json", "--quiet", *args], session)
        self.calls = self._made[start:]
        writes = [c for c in self.calls if c.split(":", 1)[1].startswith(WRITE_PREFIXES)]
        assert writes == [], f"the live check wrote: {writes}"
        return code, json.loads(self._capsys.readouterr().out)


@pytest.fixture
def doctor(operations: list[str], capsys: pytest.CaptureFixture[str]) -> Doctor:
    return Doctor(operations, capsys)


__all__ = ["AwsDoubles", "aws", "emulator_server", "moto_server", "socialmessaging"]
