"""The stack configuration, validated once, with errors a person can act on.

This package is the only reader of `pulumi.Config`. Everything downstream receives typed,
already-valid settings, so a bad value fails the program before any resource is
registered, with one line per problem naming the key path, the value, what was expected
and how to fix it. Its parts: `schema` (the models), `fixes` (how a problem is named and
fixed), `names` (AWS's naming rules), `structure` (raw settings read as the models),
`validation` (the checks; `parse_settings` is the entry point), `aws_provider` (the
provider's identity and placement), `loading` (the engine's config).
"""

from components.settings.aws_provider import (
    AwsProviderSettings,
    aws_provider_keys,
    aws_provider_problems,
    placement_problems,
)
from components.settings.fixes import (
    CONFIG_NAMING,
    ConfigNaming,
    Edit,
    Naming,
    Problem,
    PropertyNaming,
    SettingsError,
    namespace_of,
    path_key,
    rm_command,
    set_command,
    summarise,
)
from components.settings.loading import (
    StackConfiguration,
    check_configuration,
    load_configuration,
    misplaced_settings,
    split_namespaces,
)
from components.settings.names import role_arn_problem, role_name_problem, topic_name_problem
from components.settings.schema import (
    MAX_DESTINATIONS,
    TOP_LEVEL_KEYS,
    ConnectRoleSettings,
    DestinationSettings,
    StackSettings,
    TopicSettings,
    default_connect_role_name,
    default_topic_name,
    model_keys,
    required_keys,
)
from components.settings.validation import ignored_settings, parse_settings, settings_problems

__all__ = [
    "CONFIG_NAMING",
    "MAX_DESTINATIONS",
    "TOP_LEVEL_KEYS",
    "AwsProviderSettings",
    "ConfigNaming",
    "ConnectRoleSettings",
    "DestinationSettings",
    "Edit",
    "Naming",
    "Problem",
    "PropertyNaming",
    "SettingsError",
    "StackConfiguration",
    "StackSettings",
    "TopicSettings",
    "aws_provider_keys",
    "aws_provider_problems",
    "check_configuration",
    "default_connect_role_name",
    "default_topic_name",
    "ignored_settings",
    "load_configuration",
    "misplaced_settings",
    "model_keys",
    "namespace_of",
    "parse_settings",
    "path_key",
    "placement_problems",
    "required_keys",
    "rm_command",
    "set_command",
    "settings_problems",
    "split_namespaces",
    "summarise",
    "role_arn_problem",
    "role_name_problem",
    "topic_name_problem",
]
