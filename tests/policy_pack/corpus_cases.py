"""Loading the policy corpus: one YAML file per policy, each a list of good and bad cases.

A case starts from nothing or from one of the program's own stacks (`stack:`), changes
it (`patch:`, `remove:`, `add:`), optionally configures the pack (`config:`) and lists
the violations it expects (`expect:`) for the file's policy, by level, resource name and
message fragments, or the fragments of the error with which the pack refuses the case's
configuration (`error:`). `"<unknown>"` stands for the engine's unknown sentinel (pulumi-policy's
`UNKNOWN_STRING_VALUE`, which is what the engine sends for every unknown value), and an object
`{$json: ...}` for that object serialised as a JSON string. `source:` names where a case's shape
comes from (a documentation page, a scanner's fixture, an issue).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN

import tests.policy_pack.conftest  # noqa: F401  (the pack's folder on sys.path)
from destination_review.policy_analyzer import (
    AnalyzedResource,
    PolicyPackServer,
    Violation,
    make_urn,
)
from tests.policy_pack.program_stacks import program_stack

# The pack's one list of its policies' names, which the corpus files follow.
POLICY_NAMES: tuple[str, ...] = importlib.import_module("rules").POLICY_NAMES

CORPUS_DIR = Path(__file__).parent / "corpus"
UNKNOWN_TOKEN = "<unknown>"


@dataclass(frozen=True)
class Expected:
    policy: str
    level: str = "mandatory"
    resource: str | None = None
    contains: tuple[str, ...] = ()

    def matches(self, violation: Violation) -> bool:
        return (
            violation.policy_name == self.policy
            and violation.enforcement_level == self.level
            and (self.resource is None or resource_name(violation.urn) == self.resource)
            and all(fragment in violation.message for fragment in self.contains)
        )


@dataclass(frozen=True)
class Case:
    file_policy: str
    name: str
    resources: list[AnalyzedResource]
    config: dict[str, Any] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)
    all_policies: bool = False
    error: tuple[str, ...] = ()
    source: str = ""

    @property
    def id(self) -> str:
        return f"{self.file_policy}: {self.name}"


def resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else ""


def decode(value: Any) -> Any:
    """Replace the corpus shorthands with what the engine would send."""
    if value == UNKNOWN_TOKEN:
        return UNKNOWN
    if isinstance(value, dict):
        if set(value) == {"$json"}:
            return json.dumps(decode(value["$json"]))
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _edit_document(text: str, edit: dict[str, Any]) -> str:
    document = json.loads(text)
    statements = document["Statement"]
    selector = edit["statement"]
    if isinstance(selector, int):
        statement = statements[selector]
    else:
        matching = [s for s in statements if s.get("Sid") == selector]
        assert matching, f"no statement {selector!r} to edit"
        statement = matching[0]
    for key in edit.get("unset", []):
        statement.pop(key, None)
    statement.update(decode(edit.get("set", {})))
    return json.dumps(document)


def _patch(resources: list[AnalyzedResource], patch: dict[str, Any]) -> list[AnalyzedResource]:
    name = patch["resource"]
    assert any(r.name == name for r in resources), f"no resource {name!r} to patch"
    result = []
    for resource in resources:
        if resource.name == name:
            properties = dict(resource.properties)
            if "document" in patch:
                prop = patch["document"]
                properties[prop] = _edit_document(properties[prop], patch)
            else:
                for key in patch.get("unset", []):
                    properties.pop(key, None)
                properties.update(decode(patch.get("set", {})))
            resource = replace(resource, properties=properties)
        result.append(resource)
    return result


def _added(items: list[dict[str, Any]], known: dict[str, str]) -> list[AnalyzedResource]:
    """New resources; names in dependencies are resolved to URNs after all are known."""
    for item in items:
        known[item["name"]] = item.get("urn") or make_urn(item["type"], item["name"])
    resources = []
    for item in items:
        resources.append(
            AnalyzedResource(
                type=item["type"],
                name=item["name"],
                properties=decode(item.get("properties", {})),
                urn=known[item["name"]],
                dependencies=[known[n] for n in item.get("dependencies", [])],
                property_dependencies={
                    prop: [known[n] for n in names]
                    for prop, names in item.get("propertyDependencies", {}).items()
                },
            )
        )
    return resources


def build_case(file_policy: str, raw: dict[str, Any]) -> Case:
    stack = raw.get("stack")
    resources = program_stack(**stack) if stack else []
    for patch in raw.get("patch", []):
        resources = _patch(resources, patch)
    removed = set(raw.get("remove", []))
    assert removed <= {r.name for r in resources}, f"cannot remove {removed}"
    resources = [r for r in resources if r.name not in removed]
    known = {r.name: r.resolved_urn for r in resources}
    resources += _added(raw.get("add", []), known)
    expected = []
    for item in raw.get("expect", []):
        contains = item.get("contains", ())
        expected.append(
            Expected(
                policy=item.get("policy", file_policy),
                level=item.get("level", "mandatory"),
                resource=item.get("resource"),
                contains=(contains,) if isinstance(contains, str) else tuple(contains),
            )
        )
    return Case(
        file_policy=file_policy,
        name=raw["name"],
        resources=resources,
        config=raw.get("config", {}),
        expected=expected,
        all_policies=bool(raw.get("all_policies", False)),
        error=tuple(raw.get("error", ())),
        source=str(raw.get("source", "")),
    )


def load_corpus(directory: Path = CORPUS_DIR) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["policy"] == path.stem, f"{path.name} must hold the cases of policy {path.stem}"
        cases.extend(build_case(data["policy"], raw) for raw in data["cases"])
    return cases


def unmatched(
    expected: list[Expected], violations: list[Violation]
) -> tuple[list[Expected], list[Violation]]:
    """Pair each expectation with a distinct violation; return what is left on both sides."""
    remaining = list(violations)
    missing = []
    # Most specific expectations first, so a vague one cannot take a violation a precise one needs.
    for item in sorted(expected, key=lambda e: (e.resource is None, -len(e.contains))):
        match = next((v for v in remaining if item.matches(v)), None)
        if match is None:
            missing.append(item)
        else:
            remaining.remove(match)
    return missing, remaining


def judge(server: PolicyPackServer, case: Case) -> None:
    """Run a case as `pulumi preview` would and assert exactly its expected violations."""
    server.configure(case.config)
    violations = server.analyze_all(case.resources)
    if not case.all_policies:
        violations = [v for v in violations if v.policy_name == case.file_policy]
    missing, unexpected = unmatched(case.expected, violations)
    assert not missing and not unexpected, f"\nmissing: {missing}\nunexpected: " + "\n".join(
        f"[{v.policy_name}/{v.enforcement_level}] {v.urn}: {v.message}" for v in unexpected
    )
