"""Pre-flight accepts the documents this project generates: the topic policy's TLS-only
Deny does not reach the service, which delivers over TLS."""

from components.policy_documents import topic_policy
from components.waba.preflight import DeliveryContext, topic_policy_problems

TOPIC = "arn:aws:sns:us-east-1:123456789012:orders-events"
WABA = "arn:aws:social-messaging:us-east-1:123456789012:waba/0123456789abcdef"


def test_generated_topic_policy_with_its_tls_deny_passes_the_pre_flight() -> None:
    document = topic_policy("aws", "us-east-1", "123456789012", TOPIC)
    assert any(s["Effect"] == "Deny" for s in document["Statement"])
    assert topic_policy_problems(TOPIC, document, DeliveryContext.from_waba_arn(WABA)) == []


def test_a_deny_on_plain_http_only_still_blocks_when_it_denies_tls_too() -> None:
    document = topic_policy("aws", "us-east-1", "123456789012", TOPIC)
    for statement in document["Statement"]:
        if statement["Effect"] == "Deny":
            statement["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    problems = topic_policy_problems(TOPIC, document, DeliveryContext.from_waba_arn(WABA))
    assert problems and "does not let social-messaging.amazonaws.com sns:Publish" in problems[0]
