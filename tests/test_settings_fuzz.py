"""Whatever a stack's settings hold, the checks end with the settings or a SettingsError
(never another exception), with output that grows with the input; and a stack file is
read or refused (YamlError), its aliases expanded within yaml.v3's bound.

Bounded and derandomised in CI (CI=true); `benchmarks/settings_fuzz.py` runs long."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings

from components.settings import SettingsError, check_configuration, parse_settings
from destination_review.stack_file import Budget, YamlError, load
from tests.settings_strategies import AWS, RAW, STACK_FILES, engine_config

CI = os.environ.get("CI") == "true"
BOUNDED = settings(
    max_examples=150,
    derandomize=CI,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROJECT = "proj"


def settings_outcome(raw: dict[str, Any], aws: dict[str, Any]) -> None:
    configuration = check_configuration(engine_config(raw, aws, PROJECT), PROJECT, "dev")
    for problem in configuration.problems:
        # One short line per problem: long values are summarised, not echoed.
        assert len(str(problem)) < 2_000, str(problem)[:200]
    try:
        parse_settings(raw, PROJECT, "dev")
    except SettingsError as error:
        assert error.problems
        assert len(error.problems) <= 10 * (len(repr(raw)) + 1)


def stack_file_outcome(text: str) -> None:
    budget = Budget()
    try:
        load(text, budget)
    except YamlError as error:
        assert error.lines and all(error.lines)
    # yaml.v3's bound: at most ~100 values per value written out, until 400,000.
    assert budget.decoded <= 100 * (len(text) + 10) + 1_000


@BOUNDED
@given(RAW, AWS)
def test_no_exception_escapes_the_settings_but_a_settings_error(
    raw: dict[str, Any], aws: dict[str, Any]
) -> None:
    settings_outcome(raw, aws)


@BOUNDED
@given(STACK_FILES)
def test_a_stack_file_is_read_or_refused_within_the_alias_bound(text: str) -> None:
    stack_file_outcome(text)
