"""Shared pytest configuration (each test folder keeps its own fixtures).

pytest puts this folder on sys.path, so helpers that both the unit and the integration tests need
live here as plain modules (filetree.py, ports.py).
"""
