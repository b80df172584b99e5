"""A team's queue for the WhatsApp events that a producer stack publishes to its SNS topic.

Importing this package has no side effects: `__main__.py` wires the pieces together.
"""
