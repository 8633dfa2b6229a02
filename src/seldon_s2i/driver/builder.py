"""Facts read from the builder image, and the decisions s2i derives from them.

Destination: --destination, else label io.openshift.s2i.destination (or the
deprecated io.s2i.destination), else /tmp.
Assemble user: --assemble-user, else label io.openshift.s2i.assemble-user, else
the image's USER.
Scripts URL: label io.openshift.s2i.scripts-url, else the deprecated label
io.s2i.scripts-url, else the deprecated env var STI_SCRIPTS_URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import console

DEFAULT_DESTINATION = "/tmp"
LABEL_SCRIPTS_URL = "io.openshift.s2i.scripts-url"
LABEL_DESTINATION = "io.openshift.s2i.destination"
LABEL_ASSEMBLE_USER = "io.openshift.s2i.assemble-user"
DEPRECATED_SCRIPTS_URL = "io.s2i.scripts-url"
DEPRECATED_DESTINATION = "io.s2i.destination"


@dataclass
class BuilderImage:
    reference: str
    image_id: str = ""
    labels: Dict[str, str] = field(default_factory=dict)
    env: Dict[str, str] = field(default_factory=dict)
    user: str = ""
    entrypoint: Optional[List[str]] = None
    cmd: Optional[List[str]] = None
    workdir: str = ""

    @classmethod
    def from_inspect(cls, reference: str, data: Dict[str, Any]) -> BuilderImage:
        """Build from `docker image inspect` output (the engine's JSON)."""
        config = data.get("Config") or {}
        env: Dict[str, str] = {}
        for item in config.get("Env") or []:
            name, _, value = item.partition("=")
            env[name] = value
        return cls(
            reference=reference,
            image_id=data.get("Id", ""),
            labels=dict(config.get("Labels") or {}),
            env=env,
            user=config.get("User") or "",
            entrypoint=config.get("Entrypoint"),
            cmd=config.get("Cmd"),
            workdir=config.get("WorkingDir") or "",
        )


def scripts_url(builder: BuilderImage) -> str:
    """The image's scripts URL, or "" when the image declares none."""
    if builder.labels.get(LABEL_SCRIPTS_URL):
        return builder.labels[LABEL_SCRIPTS_URL]
    if builder.labels.get(DEPRECATED_SCRIPTS_URL):
        console.warn(f"label {DEPRECATED_SCRIPTS_URL} is deprecated, use {LABEL_SCRIPTS_URL}")
        return builder.labels[DEPRECATED_SCRIPTS_URL]
    if builder.env.get("STI_SCRIPTS_URL"):
        console.warn(f"env STI_SCRIPTS_URL is deprecated, use the label {LABEL_SCRIPTS_URL}")
        return builder.env["STI_SCRIPTS_URL"]
    return ""


def image_assemble(url: str) -> Optional[str]:
    """Where the builder image's own assemble is, when its scripts URL (scripts_url) is image://."""
    return f"{url[len('image://'):].rstrip('/')}/assemble" if url.startswith("image://") else None


def resolve_destination(flag: str, builder: BuilderImage) -> str:
    value = (
        flag
        or builder.labels.get(LABEL_DESTINATION)
        or builder.labels.get(DEPRECATED_DESTINATION)
        or DEFAULT_DESTINATION
    )
    return value.rstrip("/") or "/"


def resolve_assemble_user(flag: str, builder: BuilderImage) -> str:
    return flag or builder.labels.get(LABEL_ASSEMBLE_USER) or builder.user
