"""Pulumi's private APIs are reached only through components/pulumi_compat.py, and a
Pulumi release that removes or changes one fails here, naming it."""

from __future__ import annotations

import importlib
import re

import pytest

from components import pulumi_compat
from tests.conftest import ROOT

# Text that reaches a Pulumi private symbol or spells out one of the engine's wire values.
PRIVATE_USE = re.compile(
    r"runtime\.config\.CONFIG|_sync_await|rpc_manager|_ExportableConfig|run_pulumi_func"
    r"|_special_\w+|04da6b54-80e4-46f7-96ec-b56ff0331ba9|4dabf18193072939515e22adb298388d"
    r"|1b47061264138c4ac30d75fd1eb44270|experimental\.component import"
)
# A test of the analyzer's wire encoding, whose golden value is the literal wire form.
WIRE_FORM_TESTS = {"tests/policy_pack/test_policy_analyzer_unit.py"}


@pytest.mark.parametrize(
    ("module", "name"),
    pulumi_compat.PRIVATE_SYMBOLS,
    ids=[".".join(s) for s in pulumi_compat.PRIVATE_SYMBOLS],
)
def test_every_private_symbol_still_exists(module: str, name: str) -> None:
    package, _, leaf = module.rpartition(".")
    # `from package import leaf`, as the compatibility module does (the SDKs load lazily).
    found = getattr(importlib.import_module(package), leaf, None) or importlib.import_module(module)
    assert hasattr(found, name), f"{module}.{name} is gone from this Pulumi release"


def test_the_wire_values_are_the_engines() -> None:
    # The engine's own constants, as its Go SDK spells them (sdk/go/common/resource/plugin).
    assert pulumi_compat.UNKNOWN == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert pulumi_compat.SIGNATURE_KEY == "4dabf18193072939515e22adb298388d"
    assert pulumi_compat.SECRET_SIGNATURE == "1b47061264138c4ac30d75fd1eb44270"


def test_the_aws_provider_keys_are_read_from_the_sdk() -> None:
    names = pulumi_compat.aws_provider_config_names()
    assert {"region", "profile", "assume_roles"} <= set(names)


def test_no_module_outside_the_compatibility_module_reaches_pulumi_internals() -> None:
    offenders = []
    for top in (
        "components",
        "destination_review",
        "plugins",
        "tests",
        "benchmarks",
        "__main__.py",
    ):
        paths = [ROOT / top] if top.endswith(".py") else sorted((ROOT / top).rglob("*.py"))
        for path in paths:
            relative = path.relative_to(ROOT).as_posix()
            if relative in WIRE_FORM_TESTS | {
                "components/pulumi_compat.py",
                __name__.replace(".", "/") + ".py",
            }:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if PRIVATE_USE.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
