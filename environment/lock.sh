#!/usr/bin/env bash
# Re-resolve every hash-pinned lock in environment/ (`make lock`); the table of locks and their
# inputs is environment/locks.py. Nothing else in the project resolves dependencies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-.venv/bin/python}
exec "$PYTHON" environment/locks.py lock "$@"
