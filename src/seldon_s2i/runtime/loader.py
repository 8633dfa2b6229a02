"""Finding, constructing and loading the user's model class.

Rules (seldon-core 1.17.1): `MyModel` means module `MyModel`, class `MyModel`; `pkg.mod.Class`
means module `pkg.mod`, class `Class`. The model directory (CWD) is importable. Constructor keyword
arguments come from PREDICTIVE_UNIT_PARAMETERS. `load()` runs in every worker process after the
fork; a missing `load`, NotImplementedError and AttributeError are ignored, as in the reference.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from typing import Any, Callable, Dict

from seldon_s2i.runtime.errors import BAD_PARAMETER, SeldonError

logger = logging.getLogger(__name__)

_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0")


def strtobool(value: str) -> bool:
    """distutils.util.strtobool (gone from the standard library in Python 3.12)."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"invalid truth value {value!r}")


_CONVERTERS: Dict[str, Callable[[Any], Any]] = {
    "INT": int,
    "FLOAT": float,
    "DOUBLE": float,
    "STRING": str,
    "BOOL": lambda v: strtobool(str(v)),
}


def parse_parameters(text: str) -> Dict[str, Any]:
    """PREDICTIVE_UNIT_PARAMETERS JSON list -> constructor keyword arguments.

    Raises SeldonError with the reference's messages on a bad list, type or value.
    """
    if text is None or not text.strip():
        return {}
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise SeldonError(f"Bad model parameters: not valid JSON ({exc})", reason=BAD_PARAMETER) from None
    if not isinstance(items, list):
        raise SeldonError("Bad model parameters: expected a JSON list of {name, value, type} objects",
                          reason=BAD_PARAMETER)
    parameters: Dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or not {"name", "value", "type"} <= item.keys():
            raise SeldonError(f"Bad model parameter: {item!r} needs name, value and type", reason=BAD_PARAMETER)
        name, value, kind = item["name"], item["value"], item["type"]
        converter = _CONVERTERS.get(kind)
        if converter is None:
            raise SeldonError(f"Bad model parameter type: {kind} valid are INT, FLOAT, DOUBLE, STRING, BOOL",
                              reason=BAD_PARAMETER)
        try:
            parameters[str(name)] = converter(value)
        except (ValueError, TypeError):
            raise SeldonError(f"Bad model parameter: {name} with value {value} can't be parsed as a {kind}",
                              reason=BAD_PARAMETER) from None
    return parameters


def import_user_class(interface_name: str) -> type:
    """Import the class named by MODEL_NAME, with the model directory (CWD) importable."""
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.append(cwd)
    if "." in interface_name:
        module_name, class_name = interface_name.rsplit(".", 1)
    else:
        module_name = class_name = interface_name
    module = importlib.import_module(module_name)
    try:
        return getattr(module, class_name)
    except AttributeError:
        raise ImportError(f"module {module_name!r} ({getattr(module, '__file__', '?')}) has no class "
                          f"{class_name!r}") from None


def call_load(user_object: Any) -> None:
    """Run the user's `load()` if it has one; NotImplementedError/AttributeError are ignored."""
    load = getattr(user_object, "load", None)
    if load is None or not callable(load):
        return
    try:
        load()
    except (NotImplementedError, AttributeError) as exc:
        logger.info("load() not used: %s", exc)
