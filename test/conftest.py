"""Shared pytest configuration (each test folder keeps its own fixtures)."""
