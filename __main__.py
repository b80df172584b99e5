"""Give each configured WABA its event destination: load settings, build, export."""

import pulumi

from components.event_destinations import (
    AwsIdentity,
    WhatsAppEventDestinations,
    WhatsAppEventDestinationsArgs,
)
from components.settings import load_aws_provider_settings, load_settings, validate_placement

settings = load_settings()
aws_provider = load_aws_provider_settings()
identity = AwsIdentity.lookup()
validate_placement(settings, identity.partition, identity.region, identity.account_id)
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
