"""Dialect tests use the sandbox fixtures that the root conftest registers."""
