"""`seldon_core.metrics` compatibility: helpers that build custom-metric dictionaries."""

from __future__ import annotations

from typing import Dict, Optional

COUNTER = "COUNTER"
GAUGE = "GAUGE"
TIMER = "TIMER"


def _metric(kind: str, key: str, value: float, tags: Optional[Dict[str, str]]) -> Dict:
    metric = {"key": key, "type": kind, "value": value}
    if tags is not None:
        metric["tags"] = tags
    return metric


def create_counter(key: str, value: float, tags: Optional[Dict[str, str]] = None) -> Dict:
    return _metric(COUNTER, key, value, tags)


def create_gauge(key: str, value: float, tags: Optional[Dict[str, str]] = None) -> Dict:
    return _metric(GAUGE, key, value, tags)


def create_timer(key: str, value: float, tags: Optional[Dict[str, str]] = None) -> Dict:
    """A TIMER value is in milliseconds, as in seldon-core."""
    return _metric(TIMER, key, value, tags)
