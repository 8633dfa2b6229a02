"""Seldon errors: the runtime's own, and the duck-typed recognition of seldon-core's.

User code may raise `seldon_core.flask_utils.SeldonMicroserviceException` from our shim or from a
real seldon-core install; both are recognised by their class names and attributes, never by
identity, so either package works.
"""

from __future__ import annotations

from typing import Tuple

BAD_DATA = "MICROSERVICE_BAD_DATA"
INTERNAL_ERROR = "MICROSERVICE_INTERNAL_ERROR"
BAD_METRIC = "MICROSERVICE_BAD_METRIC"
BAD_METADATA = "MICROSERVICE_BAD_METADATA"
BAD_PARAMETER = "MICROSERVICE_BAD_PARAMETER"


class SeldonError(Exception):
    """An error the client caused (or the runtime detected), with its HTTP status and Seldon reason."""

    def __init__(self, message: str, status_code: int = 400, reason: str = BAD_DATA) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.reason = reason


def _class_names(exc: BaseException) -> Tuple[str, ...]:
    return tuple(cls.__name__ for cls in type(exc).__mro__)


def is_not_implemented(exc: BaseException) -> bool:
    """seldon-core's SeldonNotImplementedError (any package providing that class name)."""
    return "SeldonNotImplementedError" in _class_names(exc)


def is_seldon_exception(exc: BaseException) -> bool:
    if isinstance(exc, SeldonError):
        return True
    return "SeldonMicroserviceException" in _class_names(exc) and hasattr(exc, "status_code")


def describe(exc: BaseException) -> Tuple[int, str, str]:
    """(HTTP status, reason, info) of any exception, as seldon-core reports it."""
    if is_seldon_exception(exc):
        status = getattr(exc, "status_code", 400)
        if not isinstance(status, int) or not 100 <= status <= 599:
            status = 400
        message = getattr(exc, "message", None)
        info = str(message) if message is not None else str(exc)
        reason = getattr(exc, "reason", None) or BAD_DATA
        return status, str(reason), info
    return 500, INTERNAL_ERROR, str(exc)


def status_body(info: str, reason: str) -> dict:
    """The Seldon status document every error answer carries."""
    return {"status": {"code": -1, "info": info, "reason": reason, "status": 1}}


def grpc_details(error: object) -> str:
    """The details string grpcio produces for an exception escaping a handler (reference format), for
    an exception or its message."""
    return f"Exception calling application: {error}"

