"""The project files a newcomer touches first: the `pulumi new` template and the README."""

from __future__ import annotations

import re

import yaml

from components.settings import CONFIG_NAMESPACE, TOP_LEVEL_KEYS, StackSettings, parse_settings
from tests.conftest import ROOT, stack_config


def template_config() -> dict[str, dict[str, str]]:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == CONFIG_NAMESPACE
    return project["template"]["config"]


def test_template_prompts_for_every_required_setting_and_no_unknown_key() -> None:
    config = template_config()
    ours = {k.split(":", 1)[1] for k in config if k.startswith(f"{CONFIG_NAMESPACE}:")}
    required = {
        field.alias or name
        for name, field in StackSettings.model_fields.items()
        if field.is_required()
    }
    assert required == {"destinations"}
    assert required <= ours
    assert ours <= set(TOP_LEVEL_KEYS)
    assert {k.split(":", 1)[0] for k in config} <= {CONFIG_NAMESPACE, "aws"}
    assert "aws:region" in config
    assert all(entry.get("description") for entry in config.values())


def test_template_example_destination_is_valid() -> None:
    description = template_config()[f"{CONFIG_NAMESPACE}:destinations"]["description"]
    example = re.search(r"(\[.*\])", description)
    assert example is not None
    settings = parse_settings(
        {"destinations": yaml.safe_load(example.group(1))}, CONFIG_NAMESPACE, "dev"
    )
    assert settings.destinations[0].type == "sns"


def test_example_stacks_show_the_intended_environment_differences() -> None:
    dev, prod = stack_config("dev"), stack_config("prod")
    ns = CONFIG_NAMESPACE
    assert prod[f"{ns}:topic"]["protect"] is True and dev[f"{ns}:topic"]["protect"] is False
    assert (
        prod[f"{ns}:topic"]["keyDeletionWindowDays"] > dev[f"{ns}:topic"]["keyDeletionWindowDays"]
    )
    assert all(d.get("takeover") is False for d in prod[f"{ns}:destinations"])


def readme_command(heading: str) -> str:
    """The first fenced shell command under a README heading."""
    text = (ROOT / "README.md").read_text()
    section = text.split(f"## {heading}", 1)[1]
    block = re.search(r"```(?:sh|bash|shell)\n(.*?)```", section, re.S)
    assert block is not None, heading
    return block.group(1).strip()


def test_ci_runs_the_readme_set_up_and_test_commands_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    setup = readme_command("Set up")
    test = readme_command("Test")
    assert setup in ci
    assert test in ci
    assert ci.rstrip().endswith(test)
