"""Model metadata (GET /metadata, gRPC Model/Metadata): defaults, overlays, validation.

Computed once per process at start-up (spec §3.5): defaults from PREDICTIVE_UNIT_IMAGE, overlaid by
the user's `init_metadata()` and then by MODEL_METADATA (YAML or JSON). The reference validates with
jsonschema; we check the same rules by hand to keep the dependency out of the image.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from seldon_s2i.runtime.errors import is_not_implemented

logger = logging.getLogger(__name__)

TOP_LEVEL_KEYS = ("name", "versions", "platform", "inputs", "outputs", "custom")
ARRAY_MESSAGE_TYPES = ("tensor", "ndarray", "tftensor")
DATATYPES = ("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
             "FP16", "FP32", "FP64", "BYTES")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_item(item: Any, where: str) -> Optional[str]:
    if not isinstance(item, dict):
        return f"{where} must be an object"
    if "messagetype" in item:
        messagetype = item["messagetype"]
        if not isinstance(messagetype, str):
            return f"{where}.messagetype must be a string"
        schema = item.get("schema", {})
        if not isinstance(schema, dict):
            return f"{where}.schema must be an object"
        if messagetype in ARRAY_MESSAGE_TYPES:
            names = schema.get("names", [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                return f"{where}.schema.names must be a list of strings"
            shape = schema.get("shape", [])
            if not isinstance(shape, list) or not all(_is_int(d) for d in shape):
                return f"{where}.schema.shape must be a list of integers"
        return None
    if not isinstance(item.get("name"), str):
        return f"{where} needs a messagetype, or a name, datatype and shape"
    if item.get("datatype") not in DATATYPES:
        return f"{where}.datatype must be one of {', '.join(DATATYPES)}"
    shape = item.get("shape")
    if not isinstance(shape, list) or not all(_is_int(d) for d in shape):
        return f"{where}.shape must be a list of integers"
    return None


def validate(metadata: Any) -> Optional[str]:
    """None if valid, else a one-line description of the first problem."""
    if not isinstance(metadata, dict):
        return "metadata must be an object"
    for key in metadata:
        if key not in TOP_LEVEL_KEYS:
            return f"unknown metadata key {key!r} (allowed: {', '.join(TOP_LEVEL_KEYS)})"
    for key in ("name", "platform"):
        if key in metadata and not isinstance(metadata[key], str):
            return f"{key} must be a string"
    versions = metadata.get("versions", [])
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        return "versions must be a list of strings"
    for key in ("inputs", "outputs"):
        items = metadata.get(key, [])
        if not isinstance(items, list):
            return f"{key} must be a list"
        for index, item in enumerate(items):
            problem = _check_item(item, f"{key}[{index}]")
            if problem:
                return problem
    custom = metadata.get("custom", {})
    if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
        return "custom must be an object of strings"
    return None


def defaults(image: str) -> Dict[str, Any]:
    name, sep, version = image.rpartition(":")
    if not sep:
        name, version = image, ""
    return {"name": name, "versions": [version], "platform": "", "inputs": [], "outputs": [], "custom": {}}


def build(user_object: Any, image: str, model_metadata_env: Optional[str]) -> Tuple[Optional[Dict[str, Any]], str]:
    """(metadata, "") when valid, (None, problem) when not; never raises for user mistakes."""
    metadata = defaults(image)
    init_metadata = getattr(user_object, "init_metadata", None)
    if callable(init_metadata):
        try:
            user_meta = init_metadata()
        except Exception as exc:  # noqa: BLE001 - the reference ignores a failing init_metadata too
            if not is_not_implemented(exc):
                logger.error("init_metadata() failed: %s", exc)
            user_meta = {}
        if isinstance(user_meta, dict):
            metadata.update(user_meta)
        else:
            logger.error("init_metadata() must return a dict, got %s; ignored", type(user_meta).__name__)
    if model_metadata_env:
        import yaml  # only when MODEL_METADATA is set: keeps start-up lean

        try:
            env_meta = yaml.safe_load(model_metadata_env)
        except yaml.YAMLError as exc:
            return None, f"MODEL_METADATA is not valid YAML/JSON: {exc}".replace("\n", " ")
        if isinstance(env_meta, dict):
            metadata.update(env_meta)
        else:
            return None, "MODEL_METADATA must be a mapping"
    problem = validate(metadata)
    if problem:
        logger.error("Model metadata unavailable: %s", problem)
        return None, problem
    return metadata, ""
