"""`seldon_core.flask_utils` compatibility: the exception that picks its own HTTP status."""

from __future__ import annotations

from typing import Dict, Optional

ANNOTATIONS_FILE = "/etc/podinfo/annotations"


class SeldonMicroserviceException(Exception):
    """An error with an HTTP status (default 400) and a Seldon reason, reported as a Seldon status."""

    status_code = 400

    def __init__(self, message: str, status_code: Optional[int] = None, payload: Optional[Dict] = None,
                 reason: str = "MICROSERVICE_BAD_DATA") -> None:
        Exception.__init__(self)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.payload = payload
        self.reason = reason

    def to_dict(self) -> Dict:
        rv = {"status": {"status": 1, "info": self.message, "code": -1, "reason": self.reason}}
        return rv
