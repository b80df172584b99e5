"""Give each configured WABA its event destination: load settings, build, export."""

import pulumi

from components.event_destinations import (
    AwsIdentity,
    WhatsAppEventDestinations,
    WhatsAppEventDestinationsArgs,
)
from components.process import keep_until_exit
from components.settings import load_configuration

# Every problem at once: the project's settings, the aws provider's, and where the ARNs
# are (asked of the aws provider only when its settings are valid).
configuration = load_configuration()
identity = AwsIdentity.lookup() if configuration.can_locate else None
settings, aws_provider = configuration.validated(
    (identity.partition, identity.region, identity.account_id) if identity else None
)
assert identity is not None  # validated() raises when the aws settings are invalid
event_destinations = WhatsAppEventDestinations(
    "whatsapp",
    WhatsAppEventDestinationsArgs(
        settings=settings,
        identity=identity,
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        aws_provider=aws_provider,
    ),
)
outputs = event_destinations.stack_outputs(identity)
for key, value in outputs.items():
    pulumi.export(key, value)
# What the program built lives until it exits: spare the collector walking it then.
keep_until_exit()
