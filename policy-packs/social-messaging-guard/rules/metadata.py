"""What every policy of the pack shares: its tags, and the pack's own name and description."""

from __future__ import annotations

PACK_NAME = "social-messaging-guard"
PACK_DESCRIPTION = (
    "Refuses AWS End User Messaging Social event destinations that silently drop events "
    "(FIFO topics, asymmetric or AWS managed keys, missing grants) or that another account "
    "could abuse (service-principal grants without confused-deputy conditions)."
)
TAGS = ["aws", "aws-native", "social-messaging", "whatsapp", "sns", "kms", "iam"]
