"""Offline review of a stack: `python -m destination_review.review --stack dev [--json]`.

Renders, without the Pulumi CLI, credentials or network, every resource the program
would register for a stack's config file, pretty-prints every policy document, and asks
the `social-messaging-guard` policy pack (through its own analyzer server, as
`pulumi preview` would) for its verdict.

Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 the stack
file or its configuration is invalid (one line on stderr says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from components.settings import SettingsError
from destination_review.policy_analyzer import AnalyzedResource, PolicyPackServer, Violation
from destination_review.render import PROJECT_DIR, RenderedResource, Rendering, Target, render

PLACEHOLDER_ACCOUNT = "111122223333"
PLACEHOLDER_REGION = "us-east-1"
PROVIDER_PROPERTY = "__provider"

# The inputs that hold policy documents, by resource type.
DOCUMENT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:kms/key:Key": ("policy",),
    "aws:kms/keyPolicy:KeyPolicy": ("policy",),
    "aws:sns/topic:Topic": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/policy:Policy": ("policy",),
}


class ReviewError(Exception):
    """A stack file that cannot be reviewed; the message is one line."""


@dataclass(frozen=True)
class PolicyDocumentView:
    resource: str
    type: str
    property: str
    document: Any


@dataclass
class Review:
    stack: str
    stack_file: str
    target: Target
    rendering: Rendering
    verdicts: list[Violation]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.verdicts if v.enforcement_level == "mandatory"]

    def documents(self) -> list[PolicyDocumentView]:
        views = []
        for resource in self.rendering.resources:
            for key in DOCUMENT_PROPERTIES.get(resource.type, ()):
                value = resource.inputs.get(key)
                if isinstance(value, str) and value:
                    try:
                        document: Any = json.loads(value)
                    except json.JSONDecodeError:
                        document = value
                    views.append(PolicyDocumentView(resource.name, resource.type, key, document))
        return views


def partition_of(region: str) -> str:
    """The partition a Region belongs to, for the ARNs of a rendering."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def read_stack_config(path: Path) -> dict[str, Any]:
    """The `config:` map of a `Pulumi.<stack>.yaml`, or a one-line ReviewError."""
    if not path.is_file():
        raise ReviewError(f"{path}: no such stack file (create it with `pulumi stack init`)")
    try:
        content = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ReviewError(f"{path}: malformed YAML{where}: {problem}") from error
    if content is None:
        content = {}
    if not isinstance(content, dict) or not isinstance(content.get("config", {}), dict):
        raise ReviewError(f"{path}: expected a mapping with a 'config:' map of settings")
    return dict(content.get("config") or {})


def _properties(resource: RenderedResource) -> dict[str, Any]:
    """What a reviewer (and a policy pack) sees of a resource; never the provider blob."""
    return {k: v for k, v in resource.inputs.items() if k != PROVIDER_PROPERTY}


def analyzed(resources: Sequence[RenderedResource]) -> list[AnalyzedResource]:
    return [
        AnalyzedResource(
            type=r.type,
            name=r.name,
            properties=_properties(r),
            urn=r.urn,
            dependencies=list(r.dependencies),
            property_dependencies=dict(r.property_dependencies),
            parent=r.parent,
        )
        for r in resources
    ]


def review(
    stack: str,
    *,
    stack_file: Path | None = None,
    account_id: str = PLACEHOLDER_ACCOUNT,
    region: str | None = None,
    partition: str | None = None,
    pack_config: dict[str, Any] | None = None,
) -> Review:
    path = stack_file or PROJECT_DIR / f"Pulumi.{stack}.yaml"
    config = read_stack_config(path)
    region = region or str(config.get("aws:region") or PLACEHOLDER_REGION)
    target = Target(partition or partition_of(region), region, account_id)
    try:
        rendering = render(config, stack=stack, target=target, preview=True)
    except SettingsError as error:
        problems = "; ".join(str(p) for p in error.problems)
        raise ReviewError(f"{path.name}: invalid configuration: {problems}") from error
    with PolicyPackServer(config=pack_config) as server:
        verdicts = server.analyze_all(analyzed(rendering.resources))
    return Review(stack, str(path), target, rendering, verdicts)


def as_json(result: Review) -> dict[str, Any]:
    return {
        "stack": result.stack,
        "stackFile": result.stack_file,
        "target": {
            "partition": result.target.partition,
            "region": result.target.region,
            "accountId": result.target.account_id,
        },
        "resources": [
            {"type": r.type, "name": r.name, "urn": r.urn, "properties": _properties(r)}
            for r in result.rendering.resources
        ],
        "documents": [asdict(d) for d in result.documents()],
        "verdicts": [
            {
                "policy": v.policy_name,
                "level": v.enforcement_level,
                "message": v.message,
                "urn": v.urn,
            }
            for v in result.verdicts
        ],
        "mandatoryViolations": len(result.mandatory),
        "outputs": result.rendering.outputs,
    }


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 90 else text[:87] + "..."


def as_text(result: Review) -> str:
    t = result.target
    lines = [
        f"Stack {result.stack} ({result.stack_file})",
        f"Rendered offline for partition {t.partition}, Region {t.region}, account "
        f"{t.account_id}{' (placeholder)' if t.account_id == PLACEHOLDER_ACCOUNT else ''}; "
        "values AWS computes at deployment are shown as <unknown>.",
        "",
        f"Resources ({len(result.rendering.resources)}):",
    ]
    documents = {(d.resource, d.property) for d in result.documents()}
    for resource in result.rendering.resources:
        lines.append(f"  {resource.type}  {resource.name}")
        for key, value in sorted(_properties(resource).items()):
            if (resource.name, key) in documents:
                value = "(policy document below)"
            elif value == "04da6b54-80e4-46f7-96ec-b56ff0331ba9":
                value = "<unknown>"
            lines.append(f"      {key}: {_short(value)}")
    lines += ["", "Policy documents:"]
    for view in result.documents():
        lines.append(f"  {view.type}  {view.resource}  .{view.property}")
        rendered = json.dumps(view.document, indent=2)
        lines += ["    " + line for line in rendered.splitlines()]
    lines += ["", "social-messaging-guard:"]
    if not result.verdicts:
        lines.append("  no violations")
    for v in result.verdicts:
        lines.append(f"  [{v.enforcement_level}] {v.policy_name}: {v.message} ({v.urn})")
    verdict = "FAIL" if result.mandatory else "PASS"
    lines.append(f"{verdict}: {len(result.mandatory)} mandatory violation(s)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m destination_review.review",
        description="Render a stack offline, print its policy documents and the policy "
        "pack's verdict. No Pulumi CLI, credentials or network needed.",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--stack-file", type=Path, help="another path to the stack file")
    parser.add_argument(
        "--account", default=PLACEHOLDER_ACCOUNT, help="12-digit account id (placeholder default)"
    )
    parser.add_argument("--region", help="Region (default: aws:region of the stack file)")
    parser.add_argument("--partition", choices=["aws", "aws-cn", "aws-us-gov"])
    parser.add_argument("--policy-pack-config", type=Path, help="policy pack config JSON file")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    try:
        if not (len(args.account) == 12 and args.account.isdigit()):
            raise ReviewError(f"--account: got {args.account!r}; expected 12 digits")
        pack_config = None
        if args.policy_pack_config:
            try:
                pack_config = json.loads(args.policy_pack_config.read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise ReviewError(
                    f"--policy-pack-config {args.policy_pack_config}: {error}"
                ) from error
        result = review(
            args.stack,
            stack_file=args.stack_file,
            account_id=args.account,
            region=args.region,
            partition=args.partition,
            pack_config=pack_config,
        )
    except ReviewError as error:
        print(f"review failed: {error}", file=sys.stderr)
        return 2
    print(json.dumps(as_json(result), indent=2) if args.json else as_text(result))
    return 1 if result.mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
