"""The consumer's Pulumi project and example stack file are valid for its program."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from consumer.settings import CONFIG_NAMESPACE, ConsumerSettings, parse_settings
from consumer_harness import CONSUMER_DIR, Location, ProgramRun, producer_outputs

SETTING_KEYS = {field.alias for field in ConsumerSettings.model_fields.values()}


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CONSUMER_DIR / name).read_text())
    return loaded


def _stack_settings(stack_file: dict[str, Any]) -> dict[str, Any]:
    prefix = f"{CONFIG_NAMESPACE}:"
    return {
        key.removeprefix(prefix): value
        for key, value in stack_file["config"].items()
        if key.startswith(prefix)
    }


def test_project_is_its_own_python_project() -> None:
    project = _load("Pulumi.yaml")
    assert project["name"] == CONFIG_NAMESPACE
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == "venv"


def test_project_config_declares_only_settings_and_requires_the_producer_stack() -> None:
    project = _load("Pulumi.yaml")
    declared = project["config"]
    assert set(declared) <= SETTING_KEYS
    # Pulumi refuses to run a stack that lacks a declared key without a default.
    required = {key for key, spec in declared.items() if "default" not in spec}
    assert required == {"producerStack"}


def test_template_asks_for_the_producer_stack_and_region() -> None:
    template = _load("Pulumi.yaml")["template"]["config"]
    assert set(template) == {"producerStack", "aws:region"}
    assert parse_settings(
        {"producerStack": template["producerStack"]["default"]}, CONFIG_NAMESPACE, "dev"
    )


def test_dev_stack_file_holds_only_known_valid_settings() -> None:
    stack_file = _load("Pulumi.dev.yaml")
    values = _stack_settings(stack_file)
    assert set(values) <= SETTING_KEYS
    settings = parse_settings(values, CONFIG_NAMESPACE, "dev")
    assert settings.producer_stack.endswith("/social-messaging-destinations/dev")


def test_dev_stack_file_runs(run_consumer: Callable[..., ProgramRun]) -> None:
    stack_file = _load("Pulumi.dev.yaml")
    region = stack_file["config"]["aws:region"]
    run = run_consumer(
        outputs=producer_outputs(region=region),
        config=_stack_settings(stack_file),
        location=Location(region=region),
        preview=True,
    )
    queue = run.named("whatsapp-events-queue")
    assert queue.inputs["name"] == stack_file["config"][f"{CONFIG_NAMESPACE}:queueName"]
    assert queue.inputs["tags"]["team"] == stack_file["config"][f"{CONFIG_NAMESPACE}:tags"]["team"]


def test_requirements_pin_what_the_program_imports() -> None:
    lines = (CONSUMER_DIR / "requirements.txt").read_text().split()
    packages = {line.split(">")[0].split("<")[0].split("=")[0] for line in lines}
    assert packages == {"pulumi", "pulumi-aws", "pydantic"}
    assert all("<" in line for line in lines)  # every dependency has an upper bound
