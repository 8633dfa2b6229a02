"""The Docker image reference grammar, checked before a build runs (fail early).

The grammar is distribution/reference's (https://github.com/distribution/reference,
`reference.go`), the one the engine applies when it tags a commit:

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [domain "/"] path-component ["/" path-component]*   (at most 255 characters)
    domain     := host [":" port]          host: letters, digits, "-" and "." (any case)
    path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator: "." | "_" | "__" | "-"+
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex (32 or more hex digits)

The engine checks it only when it commits, after every install has run; we check it first.
"""

from __future__ import annotations

import re
from typing import Optional

from .errors import UsageError

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"(?P<name>{_NAME})(?::{_TAG})?(?:@{_DIGEST})?")
NAME_MAX = 255
EXAMPLE = "e.g. my-model:0.1 or registry.example:5000/team/my-model:0.1"


def _name_part(reference: str) -> str:
    """The repository part of a reference: everything before the tag's ':' and the '@'."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _diagnose(reference: str) -> str:
    """Why REFERENCE breaks the grammar, in words a newcomer can act on (every fault found)."""
    if not reference.strip():
        return "it is empty"
    faults = []
    if any(char.isspace() for char in reference):
        faults.append("it contains whitespace")
    name = _name_part(reference)
    first, _, rest = name.partition("/")
    path = rest if rest and re.fullmatch(_DOMAIN, first) else name
    if any(char.isupper() for char in path):
        faults.append("the repository name must be lowercase")
    tag = reference.split("@", 1)[0][len(name) + 1:]
    if tag and not re.fullmatch(_TAG, tag):
        faults.append("the tag after ':' must be 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
    if not faults:
        faults.append("each part of the repository name must be lowercase letters and digits "
                      "joined by '.', '_' or '-'")
    return "; ".join(faults)


def invalid_reason(reference: str) -> Optional[str]:
    """None when reference is a valid image reference, else why it is not."""
    match = REFERENCE.fullmatch(reference)
    if match is None:
        return _diagnose(reference)
    if len(match.group("name")) > NAME_MAX:
        return f"the repository name is longer than {NAME_MAX} characters"
    return None


def check_tag(tag: str) -> str:
    """Return tag when it is a valid image reference; UsageError naming the fault and a valid form."""
    reason = invalid_reason(tag)
    if reason is not None:
        raise UsageError(f"TAG {tag!r} is not a valid image name: {reason} ({EXAMPLE})")
    return tag
