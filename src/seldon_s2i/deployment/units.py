"""The graph's units: what each image (or source directory) says it is, and the user's parameters.

A unit is one graph node and its container. Its SERVICE_TYPE and API_TYPE are read from where the
build put them: the image's environment (the s2i builders bake `.s2i/environment` into the image,
`docker image inspect` shows it under Config.Env), or, before the image exists, the source
directory's `.s2i/environment` (`IMAGE=DIR`). The image's labels only explain a missing
SERVICE_TYPE (an image that no s2i build made). Every mistake is a BuildError (one line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from ..driver.engine import Engine
from ..driver.errors import BuildError, UsageError
from ..driver.reference import invalid_reason
from ..envfile import EnvironmentFileError, parse_environment, read_environment_text
from .vocabulary import (
    DNS1123_LABEL_MAX,
    IMAGE_PROTOCOLS,
    NODE_TYPE_OF_SERVICE_TYPE,
    PARAMETER_FORM,
    PARAMETER_TYPES,
    SPEC_PROTOCOLS_OF_IMAGE_PROTOCOL,
    is_dns1123_label,
    reads_as,
)

Parameter = Dict[str, str]
BUILDER_LABEL = "io.openshift.s2i.build.image"


@dataclass(frozen=True)
class Facts:
    """What a unit serves: SERVICE_TYPE (one of NODE_TYPE_OF_SERVICE_TYPE), its API types (REST, GRPC) and
    its PROTOCOL (one of IMAGE_PROTOCOLS: v1, the Seldon protocol; v2, Open Inference; or both)."""

    service_type: str
    api_types: Tuple[str, ...]
    protocol: str = "v1"

    @property
    def spec_protocols(self) -> Tuple[str, ...]:
        """The SeldonDeployment `spec.protocol` values the executor may speak to this unit."""
        return SPEC_PROTOCOLS_OF_IMAGE_PROTOCOL[self.protocol]


@dataclass
class Unit:
    """One graph node: container/node `name` (a DNS-1123 label), its `image`, what it serves,
    its `parameters` (the node's PREDICTIVE_UNIT_PARAMETERS) and its `children` (units below it)."""

    name: str
    image: str
    facts: Facts
    parameters: List[Parameter] = field(default_factory=list)
    children: List[Unit] = field(default_factory=list)

    @property
    def node_type(self) -> str:
        """The graph node `type` of this unit's SERVICE_TYPE."""
        return NODE_TYPE_OF_SERVICE_TYPE[self.facts.service_type]

    def walk(self) -> List[Unit]:
        """This unit and every unit below it, depth first (the operator's graph order)."""
        return [self, *(unit for child in self.children for unit in child.walk())]


def split_unit_argument(argument: str) -> Tuple[str, Optional[Path]]:
    """`IMAGE` or `IMAGE=DIR` -> (image, source directory or None); UsageError on a bad image name."""
    image, sep, directory = argument.partition("=")
    reason = invalid_reason(image)
    if reason is not None:
        raise UsageError(f"{image!r} is not a valid image name: {reason} (e.g. my-registry/my-model:0.1)")
    if sep and not directory:
        raise UsageError(f"{argument!r}: give the source directory after '=' (IMAGE=DIR), or leave out '='")
    return image, Path(directory) if sep else None


def facts_from_environment(env: Dict[str, str], where: str) -> Facts:
    """Facts from SERVICE_TYPE, API_TYPE (default REST,GRPC, as the builders) and PROTOCOL (default v1, any
    case, as s2i/lib/contract.sh's check_protocol); BuildError names `where`."""
    service_type = env.get("SERVICE_TYPE", "").strip().upper()
    if not service_type:
        raise BuildError(f"{where} sets no SERVICE_TYPE: build it with a seldon-s2i builder "
                         "(SERVICE_TYPE=MODEL in .s2i/environment)")
    if service_type not in NODE_TYPE_OF_SERVICE_TYPE:
        raise BuildError(f"{where} has SERVICE_TYPE={service_type}, an unknown service type: "
                         f"expected one of {', '.join(NODE_TYPE_OF_SERVICE_TYPE)}")
    api_types = tuple(part.strip().upper() for part in env.get("API_TYPE", "REST,GRPC").split(",") if part.strip())
    unknown = [api for api in api_types if api not in ("REST", "GRPC")]
    if unknown or not api_types:
        raise BuildError(f"{where} has API_TYPE={env.get('API_TYPE')}: expected REST, GRPC or REST,GRPC")
    protocol = env.get("PROTOCOL", "").strip().lower() or "v1"
    if protocol not in IMAGE_PROTOCOLS:
        raise BuildError(f"{where} has PROTOCOL={env['PROTOCOL']}, an unknown protocol: expected one of "
                         f"{', '.join(IMAGE_PROTOCOLS)} (rebuild it with PROTOCOL=v1, v2 or both in .s2i/environment)")
    return Facts(service_type, api_types, protocol)


def facts_from_image(engine: Engine, image: str) -> Facts:
    """Facts from a local image's environment (Config.Env); BuildError when it is not there."""
    data = engine.inspect_image(image)
    if data is None:
        raise BuildError(f"image {image} is not present locally: build it first "
                         f"(seldon-s2i build SRC BUILDER {image}), pull it, or give IMAGE=SRC_DIR")
    config = data.get("Config") or {}
    env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
    if "SERVICE_TYPE" not in env:
        builder = (config.get("Labels") or {}).get(BUILDER_LABEL)
        made_by = f"it was built from {builder}, which" if builder else "no s2i build made it; its build"
        raise BuildError(f"image {image} has no SERVICE_TYPE in its environment ({made_by} set none): "
                         "build it with a seldon-s2i builder and SERVICE_TYPE in .s2i/environment")
    return facts_from_environment(env, f"image {image}")


def facts_from_source(directory: Path) -> Facts:
    """Facts from DIR/.s2i/environment (what the build will bake into the image)."""
    path = directory / ".s2i" / "environment"
    if not path.is_file():
        raise BuildError(f"{path} does not exist: give the model's source directory (IMAGE=DIR)")
    try:
        text = read_environment_text(path)
    except EnvironmentFileError as exc:
        raise BuildError(str(exc)) from None
    return facts_from_environment(dict(parse_environment(text)), str(path))


def name_of_image(image: str) -> str:
    """A DNS-1123 label from an image reference's last path component: my-registry/My_Model:0.1 -> my-model."""
    repository = image.split("@", 1)[0]
    if repository.rfind(":") > repository.rfind("/"):
        repository = repository[:repository.rfind(":")]
    base = repository.rsplit("/", 1)[-1].lower()
    name = re.sub(r"[^a-z0-9-]+", "-", base).strip("-")[:DNS1123_LABEL_MAX].strip("-")
    return name or "model"


def tag_of_image(image: str) -> str:
    """The tag of an image reference ('latest' when it has none)."""
    repository = image.split("@", 1)[0]
    colon = repository.rfind(":")
    return repository[colon + 1:] if colon > repository.rfind("/") else "latest"


def check_name(name: str, what: str) -> str:
    """Return name when it is a DNS-1123 label; UsageError otherwise."""
    if not is_dns1123_label(name):
        raise UsageError(f"{what} {name!r} is not a DNS-1123 label: lowercase letters, digits and '-', "
                         f"starting and ending with a letter or digit, at most {DNS1123_LABEL_MAX} characters")
    return name


def parse_parameter(text: str) -> Parameter:
    """`-p NAME=VALUE:TYPE` -> {"name", "value", "type"} (the CRD's parameter), UsageError when malformed.

    TYPE follows the last ':' (VALUE may hold colons) and is one of PARAMETER_TYPES; VALUE must
    read as that type (INT an integer, FLOAT/DOUBLE a finite number, BOOL true or false).
    """
    name, sep, rest = text.partition("=")
    value, colon, kind = rest.rpartition(":")
    if not sep or not name.strip() or not colon:
        raise UsageError(f"parameter {text!r} is not of the form {PARAMETER_FORM}")
    kind = kind.strip().upper()
    if kind not in PARAMETER_TYPES:
        raise UsageError(f"parameter {text!r} has the unknown type {kind!r}: {PARAMETER_FORM}")
    if not reads_as(kind, value):
        raise UsageError(f"parameter {text!r}: {value!r} is not a valid {kind} value")
    return {"name": name.strip(), "value": value, "type": kind}


def read_unit(engine_factory: Callable[[], Engine], image: str, directory: Optional[Path], name: str,
              parameters: List[Parameter]) -> Unit:
    """A unit of the graph: facts from DIR when given, else from the image on the engine.

    `engine_factory()` returns the Engine (connected on first use only, so IMAGE=DIR needs none).
    """
    facts = facts_from_source(directory) if directory is not None else facts_from_image(engine_factory(), image)
    return Unit(name=name, image=image, facts=facts, parameters=parameters)
