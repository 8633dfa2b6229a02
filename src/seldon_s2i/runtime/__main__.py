"""`python -m seldon_s2i.runtime MODEL_NAME [--service-type T] ...` (also `seldon-s2i-microservice`
and the alias `seldon-core-microservice`)."""

from __future__ import annotations

import logging
import os
import sys
from typing import List, Optional

from seldon_s2i.runtime import loader, server
from seldon_s2i.runtime.errors import SeldonError
from seldon_s2i.runtime.settings import UsageError, parse_settings

logger = logging.getLogger("seldon_s2i.runtime")


def _fail(message: str, code: int) -> int:
    print(f"ERROR: {message}", file=sys.stderr)
    return code


def run(argv: List[str]) -> int:
    """Start the microservice; returns the process exit code (one-line errors, no tracebacks)."""
    logging.basicConfig(level=logging.INFO, format=server.LOG_FORMAT)
    try:
        settings = parse_settings(argv, os.environ)
    except UsageError as exc:
        return _fail(str(exc), exc.exit_code)
    logging.getLogger().setLevel(settings.log_level)
    ports = settings.ports
    listeners = {"http": ports.http, "grpc": ports.grpc, "metrics": ports.metrics}
    unbindable = server.check_bindable(settings.host, listeners)
    if unbindable:
        return _fail(unbindable, 2)
    if settings.persistence:
        logger.info("Persistence: ignored (removed in seldon-core 1.5)")
    try:
        parameters = loader.parse_parameters(settings.parameters)
    except SeldonError as exc:
        return _fail(exc.message, 1)
    try:
        user_class = loader.import_user_class(settings.interface_name)
    except Exception as exc:  # noqa: BLE001 - any import failure of the user's code is a user mistake
        return _fail(f"cannot import model class {settings.interface_name!r} from {os.getcwd()}: "
                     f"{type(exc).__name__}: {exc}", 1)
    try:
        user = user_class(**parameters)
    except Exception as exc:  # noqa: BLE001
        return _fail(f"{settings.interface_name}(**{parameters!r}) failed: {type(exc).__name__}: {exc}", 1)
    from seldon_s2i.runtime import metadata, metrics

    model_metadata, _problem = metadata.build(user, settings.identity.image, settings.model_metadata)
    metrics_dir = metrics.prepare_dir()
    try:
        return server.supervise(settings, user, model_metadata)
    finally:
        metrics.remove_dir(metrics_dir)


def main(argv: Optional[List[str]] = None) -> None:
    sys.exit(run(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
