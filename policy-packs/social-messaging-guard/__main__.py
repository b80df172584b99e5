"""Entry point the Pulumi engine runs (`python -m pulumi.policy <engine> .`): build the pack."""

from pulumi_policy import PolicyPack
from rules import PACK_DESCRIPTION, PACK_NAME, policies
from rules.engine import tune_collector
from rules.shared_stack import install

tune_collector()
install()  # the stack deserialised once per AnalyzeStack for all stack policies
PolicyPack(name=PACK_NAME, description=PACK_DESCRIPTION, policies=policies())
