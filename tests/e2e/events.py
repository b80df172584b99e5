"""What the CLI says for machines: `pulumi preview --json` (one JSON document) and
`pulumi up/destroy --json` (the engine's event stream, one JSON event a line).

Tests assert on these before the CLI's human text."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.cli import Result


def preview_document(result: Result) -> dict[str, Any]:
    """`pulumi preview --json`: steps, diagnostics and the change summary."""
    return dict(json.loads(result.stdout))


def engine_events(result: Result) -> list[dict[str, Any]]:
    """`pulumi up/destroy/refresh --json`: every engine event, in order."""
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def change_summary(result: Result) -> dict[str, int]:
    """The summary event's resource changes (`{"create": 8}`, `{"same": 8}`)."""
    summaries = [e["summaryEvent"] for e in engine_events(result) if "summaryEvent" in e]
    assert len(summaries) == 1, f"expected one summary event, got {len(summaries)}"
    return dict(summaries[0]["resourceChanges"])


def operations(result: Result) -> dict[str, str]:
    """Each resource's step as the engine applied it, by URN (`create`, `same`, ...)."""
    return {
        event["resOutputsEvent"]["metadata"]["urn"]: event["resOutputsEvent"]["metadata"]["op"]
        for event in engine_events(result)
        if "resOutputsEvent" in event
    }
