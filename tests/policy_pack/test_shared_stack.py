"""The pack's servicer builds the stack once for all stack policies, and answers exactly as
pulumi-policy's own servicer does: same diagnostics, names, levels and advisories, on
every corpus stack, with the default config and with levels changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer
from rules import PACK_NAME, policies, shared_stack

from destination_review.policy_analyzer import PACK_DIR, stack_request
from tests.policy_pack.corpus_cases import load_corpus

ROOT = Path(__file__).resolve().parents[2]
NEW_CORPUS_DIR = ROOT / "tests" / "policy_corpus"
CASES = load_corpus() + load_corpus(NEW_CORPUS_DIR)
LEVELS: dict[str, Any] = {
    # Stack policies, each at another level than the pack's mandatory.
    "sns-topic-customer-managed-key": {"enforcementLevel": "disabled"},
    "waba-destination-topic-standard": {"enforcementLevel": "advisory"},
    "waba-destination-delivery-permissions": {"enforcementLevel": "remediate"},
}


def configured(servicer_class: Any, config: dict[str, Any]) -> Any:
    servicer = servicer_class(PACK_NAME, "0.0.1", policies(), EnforcementLevel.MANDATORY)
    if config:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, value in config.items():
            request.policyConfig[name].enforcementLevel = {
                "disabled": analyzer_pb2.DISABLED,
                "advisory": analyzer_pb2.ADVISORY,
                "remediate": analyzer_pb2.REMEDIATE,
            }[value["enforcementLevel"]]
        servicer.Configure(request, None)
    return servicer


def answer(response: analyzer_pb2.AnalyzeResponse) -> list[tuple[Any, ...]]:
    return sorted(
        (d.policyName, d.enforcementLevel, d.urn, d.message) for d in response.diagnostics
    ) + sorted((n.policy_name, n.reason) for n in response.not_applicable)


def _pins() -> dict[str, SpecifierSet]:
    """pulumi-policy's pin in the review's extra and in the pack's own requirements."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
    sources = {
        "pyproject.toml [review]": project["project"]["optional-dependencies"]["review"],
        # Option lines (`-c constraints.txt`) name files, not packages.
        "requirements.txt": [
            line for line in requirements if line.strip() and not line.startswith("-")
        ],
    }
    return {
        source: next(r.specifier for r in map(Requirement, lines) if r.name == "pulumi-policy")
        for source, lines in sources.items()
    }


def test_pulumi_policy_is_pinned_to_the_releases_the_shared_servicer_supports() -> None:
    # The servicer copies private parts of pulumi-policy: an upgrade past what it supports
    # must be a reviewed change of the pin, the gate and this servicer together.
    candidates = [f"1.{minor}.{patch}" for minor in range(19, 25) for patch in (0, 1, 9)]
    candidates += ["2.0.0", "1.21.0rc1"]
    for source, specifier in _pins().items():
        allowed = {v for v in candidates if Version(v) in specifier}
        gated = {v for v in candidates if v.startswith(shared_stack.SUPPORTED_VERSIONS)}
        assert allowed == gated - {"1.21.0rc1"}, (source, str(specifier))


def test_the_installed_pulumi_policy_is_one_the_shared_servicer_supports() -> None:
    # An upgrade of pulumi-policy turns the override off (correct, but five times the
    # deserialisation): this test says so instead of a silent slowdown.
    assert shared_stack.supported(), "review rules/shared_stack.py against this pulumi-policy"


@pytest.mark.parametrize("config", [{}, LEVELS], ids=["default-levels", "changed-levels"])
def test_the_shared_servicer_answers_every_corpus_stack_as_pulumi_policy_does(
    config: dict[str, Any],
) -> None:
    stock = configured(_PolicyAnalyzerServicer, config)
    shared = configured(shared_stack.SharedStackServicer, config)
    differing = [
        case.id
        for case in CASES
        if answer(stock.AnalyzeStack(stack_request(case.resources), None))
        != answer(shared.AnalyzeStack(stack_request(case.resources), None))
    ]
    assert len(CASES) > 150
    assert differing == []


def test_the_shared_servicer_deserialises_the_stack_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = shared_stack.stack_resources

    def counting(servicer: Any, request: Any, redactor: Any) -> list[Any]:
        calls.append(len(request.resources))
        return original(servicer, request, redactor)

    monkeypatch.setattr(shared_stack, "stack_resources", counting)
    case = next(c for c in CASES if len(c.resources) > 2)
    configured(shared_stack.SharedStackServicer, {}).AnalyzeStack(
        stack_request(case.resources), None
    )
    assert calls == [len(case.resources)]
