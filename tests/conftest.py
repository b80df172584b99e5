"""Shared helpers for tests that run the real program under Pulumi's mock runtime."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from destination_review.render import Rendering, Target, render

ROOT = Path(__file__).resolve().parent.parent
NS = "social-messaging-destinations"

WABA_A = "waba-0123456789abcdef0123456789abcdef"
WABA_B = "waba-fedcba9876543210fedcba9876543210"
WABA_C = "waba-00112233445566778899aabbccddeeff"


def stack_config(stack: str) -> dict[str, Any]:
    """The config map of an example stack file, as the engine passes it to the program
    (a key without a namespace is the project's)."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {(k if ":" in k else f"{NS}:{k}"): v for k, v in config.items()}


def connect_arn(target: Target, instance: str = "aaaabbbb-cccc-dddd-eeee-ffff00001111") -> str:
    return f"arn:{target.partition}:connect:{target.region}:{target.account_id}:instance/{instance}"


def policy(resource_inputs: dict[str, Any], key: str) -> dict[str, Any]:
    """A policy document input, which the program always sends as a JSON string."""
    value = resource_inputs[key]
    assert isinstance(value, str), f"{key} is not a known JSON string: {value!r}"
    return json.loads(value)


RenderFn = Callable[..., Rendering]


@pytest.fixture
def run_program() -> RenderFn:
    """Run `__main__.py` afresh under mocks: `run_program(config, stack=..., preview=...)`."""

    def run(config: dict[str, Any], **kwargs: Any) -> Rendering:
        return render(config, **kwargs)

    return run
