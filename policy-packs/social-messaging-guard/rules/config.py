"""Reading a policy's configuration with its defaults, refusing values of the wrong shape.

The Pulumi CLI validates `--policy-pack-config` against each policy's schema before the
pack sees it; these checks keep the same promise when the pack is driven directly, and
their messages name the setting, the value received and what is expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SettingError(ValueError):
    """A setting of the --policy-pack-config is wrong: the call fails, naming it (never
    turned into a "could not judge" violation, which would blame the stack)."""


def bool_setting(config: Mapping[str, Any], policy: str, name: str, default: bool) -> bool:
    value = config.get(name, default)
    if not isinstance(value, bool):
        raise SettingError(
            f"Policy '{policy}' setting `{name}` is {value!r}; expected true or false. "
            f'Fix it in the --policy-pack-config file under "{policy}".'
        )
    return value


def string_list_setting(
    config: Mapping[str, Any],
    policy: str,
    name: str,
    default: list[str],
    allowed: list[str] | None = None,
    min_items: int = 0,
) -> list[str]:
    value = config.get(name, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SettingError(
            f"Policy '{policy}' setting `{name}` is {value!r}; expected a list of strings. "
            f'Fix it in the --policy-pack-config file under "{policy}".'
        )
    if len(value) < min_items:
        raise SettingError(
            f"Policy '{policy}' setting `{name}` is {value!r}; expected at least {min_items} "
            f"item(s){f' from {allowed!r}' if allowed else ''}, as an empty list would switch "
            f"the check off. To switch it off, set the policy's enforcement level to "
            f'"disabled" instead. Fix it in the --policy-pack-config file under "{policy}".'
        )
    if allowed is not None:
        lowered = {item.lower(): item for item in allowed}
        wrong = [item for item in value if item.lower() not in lowered]
        if wrong:
            raise SettingError(
                f"Policy '{policy}' setting `{name}` contains {wrong!r}; expected only "
                f'{allowed!r}. Fix it in the --policy-pack-config file under "{policy}".'
            )
        return [lowered[item.lower()] for item in value]
    return list(value)
