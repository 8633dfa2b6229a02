"""Parse `.s2i/environment` and `-E` files exactly the way the s2i CLI does.

s2i keeps values literally: no quote stripping, no `$` expansion, no unescaping
(openshift/source-to-image `pkg/scripts/environment.go`). Emulations that feed the
lines to Docker's `ENV` parser change `"a b"` into `a b`; users then get different
images from `s2i build` and from the emulation. We follow s2i, and only warn.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

EnvList = List[Tuple[str, str]]


def _split(line: str) -> Optional[Tuple[str, str]]:
    """`NAME=VALUE` -> (NAME, VALUE), both trimmed; None for a line s2i drops."""
    name, sep, value = line.partition("=")
    name = name.strip()
    if not sep or not name:
        return None
    return name, value.strip()


def parse_environment(text: str) -> EnvList:
    """Parse the contents of `.s2i/environment`.

    Rules (s2i): a line starting with `#` in column 0 is a comment; every other line is
    split at the first `=`, name and value are trimmed of surrounding white space;
    lines without `=` or with an empty name are dropped silently.
    """
    pairs = (_split(line) for line in text.splitlines() if not line.startswith("#"))
    return [pair for pair in pairs if pair]


def parse_environment_file_option(text: str) -> EnvList:
    """Parse a file given with `-E/--environment-file`.

    s2i trims every line first and also accepts `//` comments here; lines without `=`
    are skipped. (s2i then loses the order through a Go map; we keep file order.)
    """
    lines = (raw.strip() for raw in text.splitlines())
    pairs = (_split(line) for line in lines if not line.startswith(("#", "//")))
    return [pair for pair in pairs if pair]


class EnvironmentFileError(ValueError):
    """`.s2i/environment` cannot be read as text (not UTF-8, a BOM, unreadable): the message names the file."""


def read_environment_text(path: Path, shown: Optional[str] = None) -> str:
    """The text of an environment file; EnvironmentFileError when it is not UTF-8, starts with a BOM or
    cannot be read, naming it as `shown` (default: its path)."""
    shown = shown or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EnvironmentFileError(f"{shown} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                                   f"{exc.start}): save it as UTF-8, NAME=VALUE per line") from None
    except OSError as exc:
        raise EnvironmentFileError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if text.startswith("\ufeff"):  # s2i would read the first name with the BOM in it ("MODEL_NAME is not set")
        raise EnvironmentFileError(f"{shown} starts with a byte order mark (UTF-8 BOM): s2i would take it as part "
                                   "of the first variable's name; save the file without BOM")
    return text


def read_source_environment(source_dir: Path, shown: Optional[str] = None) -> EnvList:
    """Return the variables of `<source_dir>/.s2i/environment`, or [] if there is none;
    EnvironmentFileError (naming the file as `shown`, default its path) when it cannot be read as text."""
    path = Path(source_dir) / ".s2i" / "environment"
    if not path.is_file():
        return []
    return parse_environment(read_environment_text(path, shown))


def merge(*lists: EnvList) -> EnvList:
    """Concatenate variable lists and de-duplicate, the last definition winning.

    The order is that of each name's first appearance, which keeps output stable.
    """
    merged: dict = {}
    for items in lists:
        for name, value in items:
            merged[name] = value
    return list(merged.items())
