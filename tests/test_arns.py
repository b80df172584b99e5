"""The one ARN module: botocore's parser, and partitions from botocore's endpoint data."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.utils import ArnParser

from components import arns


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-central-2", "aws"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("eusc-de-east-1", "aws-eusc"),  # a prefix guess says `aws`
        ("us-iso-east-1", "aws-iso"),  # also matches the pattern of `aws`
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_the_partition_of_a_region_comes_from_botocores_endpoint_data(
    region: str, partition: str
) -> None:
    assert arns.partition_of_region(region) == partition


@pytest.mark.parametrize("region", ["mars-north-1", "", "US-EAST-1", "useast1"])
def test_a_region_of_no_partition_has_none(region: str) -> None:
    assert arns.partition_of_region(region) is None


def test_every_partition_botocore_knows_is_listed() -> None:
    assert {"aws", "aws-cn", "aws-us-gov", "aws-eusc"} <= set(arns.partitions())


def test_arns_are_parsed_by_botocores_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    class Spy(ArnParser):
        def parse_arn(self, arn: str) -> dict[str, Any]:
            calls.append(arn)
            return super().parse_arn(arn)

    monkeypatch.setattr(arns, "_PARSER", Spy())
    parsed = arns.parse_arn("arn:aws-cn:sns:cn-north-1:111122223333:events:extra")
    assert calls == ["arn:aws-cn:sns:cn-north-1:111122223333:events:extra"]
    assert parsed == arns.Arn("aws-cn", "sns", "cn-north-1", "111122223333", "events:extra")


@pytest.mark.parametrize(
    "value",
    ["", "arn:aws:sns", "arn::sns:us-east-1:111122223333:x", "arn:aws::r:1:x", "nope:a:b:c:d:e"],
)
def test_what_is_not_an_arn_parses_to_none(value: str) -> None:
    assert arns.parse_arn(value) is None


def test_an_arn_round_trips() -> None:
    value = "arn:aws-us-gov:iam::111122223333:role/path/channel"
    assert str(arns.parse_arn(value)) == value
