"""Driving the pack's servicer in the test process, and counting the work it does.

Work is counted as the Python function calls one `AnalyzeStack` makes: deterministic for
one input, so a test can assert how it grows (never a wall-clock limit).
"""

from __future__ import annotations

import sys
from typing import Any

from pulumi_policy import EnforcementLevel
from rules import PACK_NAME, policies, shared_stack

from destination_review.policy_analyzer import AnalyzedResource, stack_request


def servicer() -> Any:
    """The pack's own servicer, as `__main__.py` installs it, with the pack's policies."""
    return shared_stack.SharedStackServicer(
        PACK_NAME, "0.0.1", policies(), EnforcementLevel.MANDATORY
    )


def calls_to_judge(stack: list[AnalyzedResource]) -> int:
    """The Python function calls one `AnalyzeStack` of the stack makes."""
    request = stack_request(stack)
    running = servicer()
    count = 0

    def counting(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        count += event == "call"

    sys.setprofile(counting)
    try:
        running.AnalyzeStack(request, None)
    finally:
        sys.setprofile(None)
    return count
