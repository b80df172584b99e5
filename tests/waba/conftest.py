"""Fixtures for the WABA event destination tests: the local doubles of AWS."""

from tests.fakes.fixtures import aws, emulator_server, moto_server, socialmessaging

__all__ = ["aws", "emulator_server", "moto_server", "socialmessaging"]
