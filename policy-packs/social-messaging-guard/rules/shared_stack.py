"""One deserialisation of the stack per `AnalyzeStack`, shared by the pack's stack policies.

pulumi-policy's servicer turns the request's resources into `PolicyResource` objects once
per stack policy: with five stack policies, five copies of the stack, built and collected
again on every request. That was most of the pack's cost (a pack of the same policies
whose checks do nothing costs about four times a pack with one stack policy), and it grew
faster than the stack: the collector and the allocator work over five live copies.

`SharedStackServicer` answers `AnalyzeStack` as pulumi-policy 1.21 does, policy by policy
(each policy's own name, description, enforcement level, severity, config,
`report_violation`, "can't run policy" advisory for unknown values and not-applicable
answer), except that the resources are built once and every stack policy reads the same
ones. That is sound for this pack only: its checks are pure and never change what they
read. Every other method (`Analyze`, `Remediate`, `GetAnalyzerInfo`, `Configure`, ...) is
pulumi-policy's own.

The override follows private parts of pulumi-policy (`_PolicyAnalyzerServicer`, its
name-mangled fields), so `install` checks that the installed pulumi-policy is the version
it was written against and has those parts; otherwise it changes nothing and the pack runs
on pulumi-policy's own servicer, only slower.
"""

from __future__ import annotations

import asyncio
from inspect import isawaitable
from typing import Any

import pulumi_policy.policy as policy_module
from pulumi.runtime import proto

from .engine import SHARED

# The pulumi-policy releases whose `_PolicyAnalyzerServicer.AnalyzeStack` this copies.
SUPPORTED_VERSIONS = ("1.21.",)
_BASE: Any = getattr(policy_module, "_PolicyAnalyzerServicer", None)
_PRIVATE = "_PolicyAnalyzerServicer__"
_FIELDS = ("policies", "policy_pack_name", "policy_pack_version", "stack_tags")
_HELPERS = (
    "_configure_runtime_settings",
    "_get_enforcement_level",
    "_create_report_violation",
    "_get_resource_options",
    "_get_provider_resource",
    "_get_policy_config",
    "_map_enforcement_level",
)


def supported() -> bool:
    """Whether the installed pulumi-policy is one this override was written against."""
    from pulumi_policy.version import VERSION

    return (
        _BASE is not None
        and VERSION.startswith(SUPPORTED_VERSIONS)
        and all(hasattr(_BASE, name) for name in _HELPERS)
        and all(hasattr(policy_module, name) for name in ("_NotApplicableError", "PolicyPack"))
    )


def stack_resources(servicer: Any, request: Any) -> list[Any]:
    """The request's resources as pulumi-policy builds them for a stack policy, once."""
    pp = policy_module
    by_urn: dict[str, Any] = {}
    pending = []
    for r in request.resources:
        deserialized = pp.deserialize_properties(pp.json_format.MessageToDict(r.properties))
        resource = pp.PolicyResource(
            r.type,
            pp.unknown_checking_proxy(deserialized),
            r.urn,
            r.name,
            servicer._get_resource_options(r),
            servicer._get_provider_resource(r),
            None,
            [],
            {},
        )
        property_dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        pending.append((resource, r.parent, list(r.dependencies), property_dependencies))
        by_urn[resource.urn] = resource
    for resource, parent, dependencies, property_dependencies in pending:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, *_ in pending]


def _private(servicer: Any, field: str) -> Any:
    return getattr(servicer, _PRIVATE + field)


class SharedStackServicer(_BASE or object):  # type: ignore[misc]
    """pulumi-policy's servicer, building the stack once per `AnalyzeStack`."""

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:  # noqa: N802 (gRPC's name)
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        try:
            return self._analyze_stack(request, response)
        finally:
            SHARED.forget()  # the request is answered: nothing of it is kept

    def _analyze_stack(self, request: Any, response: Any) -> Any:
        pp = policy_module
        resources: list[Any] | None = None
        pack_name = _private(self, "policy_pack_name")
        pack_version = _private(self, "policy_pack_version")
        for policy in _private(self, "policies"):
            enforcement_level = self._get_enforcement_level(policy)
            if enforcement_level == pp.EnforcementLevel.DISABLED or not isinstance(
                policy, pp.StackValidationPolicy
            ):
                continue
            if enforcement_level == pp.EnforcementLevel.REMEDIATE:
                # Stack policies cannot be remediated, so pulumi-policy treats them as mandatory.
                enforcement_level = pp.EnforcementLevel.MANDATORY
            report_violation = self._create_report_violation(
                response, policy.name, policy.description, enforcement_level, policy.severity
            )
            if resources is None:
                resources = stack_resources(self, request)
            config = self._get_policy_config(policy.name)
            args = pp.StackValidationArgs(resources, config, _private(self, "stack_tags"))
            try:
                result: Any = policy.validate(args, report_violation)
                if isawaitable(result):
                    loop = asyncio.new_event_loop()
                    loop.run_until_complete(result)
                    loop.close()
            except pp.UnknownValueError as e:
                response.diagnostics.append(
                    proto.AnalyzeDiagnostic(
                        policyName=policy.name,
                        policyPackName=pack_name,
                        policyPackVersion=pack_version,
                        message=(
                            f"can't run policy '{policy.name}' from policy pack "
                            f"'{pack_name}@v{pack_version}' during preview: {e.message}"
                        ),
                        urn="",
                        description=policy.description,
                        enforcementLevel=self._map_enforcement_level(
                            pp.EnforcementLevel.ADVISORY
                        ),
                    )
                )
            except pp._NotApplicableError as e:
                response.not_applicable.append(
                    proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
                )
        return response


def install() -> bool:
    """Have `PolicyPack` serve with `SharedStackServicer`; False (and nothing changed) when
    the installed pulumi-policy is not one it was written against."""
    if not supported():
        return False
    policy_module._PolicyAnalyzerServicer = SharedStackServicer  # type: ignore[misc]
    return True
