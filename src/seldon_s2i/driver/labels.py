"""Labels of the output image.

Merge order, later wins (s2i): the builder's labels -> the generated labels
below -> `/tmp/.s2i/image_metadata.json` written by assemble
(`{"labels": [{"key": "value"}, ...]}`). The keys and values of all labels
together may not exceed 10 KiB (s2i refuses to commit, and so do we).
"""

from __future__ import annotations

import json
from typing import Dict, Mapping

from .config import BuildConfig
from .errors import BuildError
from .gitsource import CommitInfo

LABEL_SIZE_LIMIT = 10 * 1024
NAMESPACE = "io.openshift.s2i."
IMAGE_METADATA_PATH = "/tmp/.s2i/image_metadata.json"


def generated_labels(config: BuildConfig, commit: CommitInfo, source_location: str) -> Dict[str, str]:
    """The labels s2i generates from the build; empty values are left out."""
    candidates = {
        "io.k8s.display-name": config.application_name or config.tag,
        "io.k8s.description": config.description,
        NAMESPACE + "build.image": config.builder,
        NAMESPACE + "build.commit.author": commit.author,
        NAMESPACE + "build.commit.date": commit.date,
        NAMESPACE + "build.commit.id": commit.id,
        NAMESPACE + "build.commit.ref": commit.ref,
        NAMESPACE + "build.commit.message": commit.message,
        NAMESPACE + "build.source-location": commit.location or source_location,
        NAMESPACE + "build.source-context-dir": config.context_dir,
        NAMESPACE + "scripts-url": config.scripts_url,
        NAMESPACE + "destination": config.destination,
    }
    return {key: value for key, value in candidates.items() if value}


def parse_image_metadata(data: bytes) -> Dict[str, str]:
    """Labels from image_metadata.json; a malformed file is a build error."""
    try:
        document = json.loads(data.decode("utf-8"))
        labels: Dict[str, str] = {}
        for entry in document.get("labels") or []:
            for key, value in entry.items():
                labels[str(key)] = str(value)
        return labels
    except (ValueError, AttributeError, UnicodeDecodeError) as exc:
        raise BuildError(f"{IMAGE_METADATA_PATH} written by assemble is not valid: {exc}") from None


def merge_labels(*layers: Mapping[str, str]) -> Dict[str, str]:
    merged: Dict[str, str] = {}
    for layer in layers:
        merged.update(layer)
    return merged


def label_size(labels: Mapping[str, str]) -> int:
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in labels.items())


def check_label_size(labels: Mapping[str, str]) -> None:
    size = label_size(labels)
    if size > LABEL_SIZE_LIMIT:
        raise BuildError(
            f"the image labels take {size} bytes, more than the {LABEL_SIZE_LIMIT} bytes allowed"
        )
