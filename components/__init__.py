"""Reusable Pulumi components for AWS End User Messaging Social event destinations.

Importing this package has no side effects: nothing is registered with Pulumi until a
component is constructed inside a program.
"""
