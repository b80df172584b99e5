"""The stack's configuration as the engine passes it to the program: every namespace
read and checked together, so that every problem is reported at once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from components.pulumi_compat import all_config
from components.settings.aws_provider import (
    AwsProviderSettings,
    aws_provider_problems,
    placement_problems,
)
from components.settings.fixes import Problem, SettingsError, first_per_path
from components.settings.schema import TOP_LEVEL_KEYS, StackSettings
from components.settings.validation import ignored_settings, settings_problems

# Namespaces that are never a project's: a key of ours there is not a misplaced setting.
_PROVIDER_NAMESPACES = ("aws", "pulumi")


def _parsed(value: Any) -> Any:
    """A config value as the program sees it: objects arrive as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value  # a plain string, not JSON: validated as such
    return value


def split_namespaces(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Full config keys (`<namespace>:<key>`) grouped by namespace, objects parsed."""
    grouped: dict[str, dict[str, Any]] = {}
    for full_key, value in config.items():
        namespace, _, key = str(full_key).partition(":")
        if key:
            grouped.setdefault(namespace, {})[key] = _parsed(value)
    return grouped


def misplaced_settings(config: Mapping[str, Any], project: str, stack: str) -> list[Problem]:
    """Settings of this project written under another project's namespace.

    `pulumi.Config()` reads the namespace named after the project, so a stack file from a
    project of another name (`pulumi new --name ...`, a copied `Pulumi.<stack>.yaml`)
    would otherwise run silently on defaults. A namespace counts as ours when it holds
    `destinations`, the setting every stack has."""
    problems: list[Problem] = []
    for namespace, keys in split_namespaces(config).items():
        if namespace == project or namespace in _PROVIDER_NAMESPACES:
            continue
        if "destinations" not in keys:
            continue
        for key in sorted(set(keys) & set(TOP_LEVEL_KEYS)):
            problems.append(
                Problem(
                    f"{namespace}:{key}",
                    keys[key],
                    f"this setting under the project's own namespace '{project}:' (Pulumi "
                    f"reads a project's settings from the namespace named after it; "
                    f"'{namespace}' is not this project's name)",
                    advice=f"in Pulumi.{stack}.yaml, rename '{namespace}:{key}' to "
                    f"'{project}:{key}'",
                )
            )
    return problems


@dataclass(frozen=True)
class StackConfiguration:
    """The stack's settings and aws provider settings, read and checked together, so
    that every problem is reported at once (the project's, the aws provider's, where
    the ARNs are), and `ignored` notes for settings that have no effect."""

    project: str
    stack: str
    raw: Mapping[str, Any]
    settings: StackSettings | None
    aws_provider: AwsProviderSettings | None
    problems: tuple[Problem, ...]
    ignored: tuple[str, ...]

    @property
    def can_locate(self) -> bool:
        """True when the aws provider settings are valid, so where the stack deploys
        (partition, Region, account) can be asked of the provider."""
        return self.aws_provider is not None

    def validated(
        self, location: tuple[str, str, str] | None = None
    ) -> tuple[StackSettings, AwsProviderSettings]:
        """The settings, or a SettingsError with every problem, placement included when
        `location` (partition, Region, account) is given."""
        problems = list(self.problems)
        if location is not None:
            problems += placement_problems(self.raw, *location)
        if problems or self.settings is None or self.aws_provider is None:
            raise SettingsError(first_per_path(problems), self.project)
        return self.settings, self.aws_provider


def check_configuration(config: Mapping[str, Any], project: str, stack: str) -> StackConfiguration:
    """Check full config keys (`<namespace>:<key>`) as the program and the review see them."""
    namespaces = split_namespaces(config)
    raw = namespaces.get(project, {})
    settings, problems = settings_problems(raw, project, stack)
    aws_provider, aws_problems = aws_provider_problems(namespaces.get("aws", {}))
    problems += aws_problems + misplaced_settings(config, project, stack)
    return StackConfiguration(
        project,
        stack,
        raw,
        settings,
        aws_provider,
        tuple(first_per_path(problems)),
        tuple(ignored_settings(raw)),
    )


def load_configuration() -> StackConfiguration:
    """Read this stack's configuration from the engine and check it; settings that have
    no effect are logged as warnings."""
    configuration = check_configuration(all_config(), pulumi.get_project(), pulumi.get_stack())
    for note in configuration.ignored:
        pulumi.log.warn(note)
    return configuration
