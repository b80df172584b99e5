"""Every use of Pulumi's private APIs and wire constants, in one place.

Where the Pulumi SDK has no public API for what this project needs, the private symbol
is reached here and nowhere else; tests/test_pulumi_compat.py fails naming the symbol
when a Pulumi release removes or changes one. The engine's wire constants (the unknown
value, the secret signature, the provider property) are the SDK's own where it
exports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pulumi
from pulumi.output import Unknown as Unknown  # the value of an Output unknown at preview
from pulumi.runtime import rpc

_T = TypeVar("_T")

# What the engine sends in place of a value unknown at preview.
UNKNOWN: str = rpc.UNKNOWN
# A map holding this key marks a special value; with SECRET_SIGNATURE, a secret.
SIGNATURE_KEY: str = rpc._special_sig_key
SECRET_SIGNATURE: str = rpc._special_secret_sig
# The input and output property where the engine keeps a resource's provider reference
# (for a dynamic resource, the pickled provider).
PROVIDER_PROPERTY = "__provider"

# (module, attribute) of every private symbol used below, for the test.
PRIVATE_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("pulumi.runtime.rpc", "_special_sig_key"),
    ("pulumi.runtime.rpc", "_special_secret_sig"),
    ("pulumi.runtime.config", "CONFIG"),
    ("pulumi.runtime.sync_await", "_sync_await"),
    ("pulumi.runtime.stack", "run_pulumi_func"),
    ("pulumi.runtime.settings", "SETTINGS"),
    ("pulumi_aws.config.vars", "_ExportableConfig"),
    # Not in pulumi.provider.experimental's __all__: the component provider subclasses it
    # (component_provider_host wraps every construct error in a Python traceback).
    ("pulumi.provider.experimental.component", "ComponentProvider"),
)


def all_config() -> dict[str, Any]:
    """Every config key of the stack (`<namespace>:<key>`), as the engine passed it to
    the program. `pulumi.Config` reads one namespace and one known key at a time; the
    settings need every key, to name misplaced and misspelt ones."""
    return dict(pulumi.runtime.config.CONFIG.get())


def aws_provider_config_names() -> list[str]:
    """The snake_case names of every aws provider setting, one property each of the
    pulumi-aws SDK's config class (it exports the values, not the list of keys)."""
    from pulumi_aws.config import vars as aws_config

    exported = vars(aws_config._ExportableConfig)
    return [name for name, value in exported.items() if isinstance(value, property)]


def sync_await(awaitable: Awaitable[_T]) -> _T:
    """Run an awaitable to completion on the SDK's own event loop."""
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(awaitable)


def run_program(program: Callable[[], None]) -> None:
    """Run a Pulumi program function as the language host does, after clearing what a
    previous program left in the SDK's process-wide settings (outputs, pending RPCs)."""
    from pulumi.runtime.stack import run_pulumi_func

    settings = pulumi.runtime.settings.SETTINGS
    settings.rpc_manager.clear()
    settings.outputs.clear()
    sync_await(run_pulumi_func(program))


def component_provider_base() -> type:
    """The SDK's provider of Python ComponentResources from type hints, for a subclass
    that validates inputs before construction and reports them as input errors."""
    from pulumi.provider.experimental.component import ComponentProvider

    return ComponentProvider
