"""Find each s2i script, one script at a time, in s2i's order.

For every script the first source that has it wins (s2i pkg/scripts/install.go):
  1. `-s/--scripts-url`
  2. `.s2i/bin/<script>` in the source (the deprecated `.sti/bin` with a warning):
     the file is MOVED to upload/scripts and made 0755, so it is absent from
     `<destination>/src/.s2i/bin` in the image, exactly as with s2i
  3. the builder's scripts URL (label `io.openshift.s2i.scripts-url`, then the
     deprecated label `io.s2i.scripts-url`, then the env var STI_SCRIPTS_URL)
URLs: `image:///dir` (already in the image: not checked, as in s2i), `file://dir`
or a plain host directory, and `http(s)://base` (fetches `<base>/<script>`).
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterable, Optional

from . import console
from .builder import LABEL_SCRIPTS_URL
from .errors import BuildError

REQUIRED_SCRIPTS = ("assemble", "run")
SUGGESTED_BUILDER = "seldon-python311"


def not_a_builder(builder: str, missing: Iterable[str]) -> str:
    """s2i's "failed to install [...]" text, plus its cause when the image declares no scripts at all."""
    return (
        f"failed to install [{' '.join(missing)}]: {builder} is not an s2i builder image "
        f"(it has no {LABEL_SCRIPTS_URL} label saying where its s2i scripts are); "
        f"use a builder image such as {SUGGESTED_BUILDER}"
    )
BUILD_SCRIPTS = ("assemble", "run", "save-artifacts")


def _install_file(source: Path, upload_scripts: Path, name: str, move: bool) -> None:
    upload_scripts.mkdir(parents=True, exist_ok=True)
    target = upload_scripts / name
    if move:
        shutil.move(str(source), str(target))
    else:
        shutil.copyfile(source, target)
    target.chmod(0o755)


def _download(url: str, target: Path) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            console.warn(f"cannot download {url}: HTTP {exc.code}")
        return False
    except (urllib.error.URLError, OSError) as exc:
        console.warn(f"cannot download {url}: {exc}")
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(0o755)
    return True


def fetch_from_url(url: str, name: str, upload_scripts: Path, destination: str) -> Optional[str]:
    """Resolve one script from a scripts URL; return its path inside the container."""
    if url.startswith("image://"):
        return f"{url[len('image://'):].rstrip('/')}/{name}"
    if url.startswith(("http://", "https://")):
        if _download(f"{url.rstrip('/')}/{name}", upload_scripts / name):
            return f"{destination}/scripts/{name}"
        return None
    host_dir = Path(url[len("file://"):] if url.startswith("file://") else url)
    if (host_dir / name).is_file():
        _install_file(host_dir / name, upload_scripts, name, move=False)
        return f"{destination}/scripts/{name}"
    return None


def _from_source_tree(src_dir: Path, name: str, upload_scripts: Path, destination: str) -> Optional[str]:
    for folder, deprecated in ((".s2i/bin", False), (".sti/bin", True)):
        candidate = src_dir / folder / name
        if candidate.is_file():
            if deprecated:
                console.warn(f"{folder} is deprecated, move your scripts to .s2i/bin")
            _install_file(candidate, upload_scripts, name, move=True)
            return f"{destination}/scripts/{name}"
    return None


def install_scripts(
    names: Iterable[str],
    *,
    scripts_url: str,
    src_dir: Path,
    image_scripts_url: str,
    upload_scripts: Path,
    destination: str,
    required: Iterable[str] = REQUIRED_SCRIPTS,
    builder: str = "",
) -> Dict[str, str]:
    """Resolve every script in names; return {script: path inside the container}.

    Raises BuildError "failed to install [assemble run]" (s2i's text) when a
    required script is found nowhere; when the builder image (named `builder`) declares no
    scripts URL, the text goes on to say that it is not an s2i builder image.
    """
    found: Dict[str, str] = {}
    from_flag = 0
    for name in names:
        path = fetch_from_url(scripts_url, name, upload_scripts, destination) if scripts_url else None
        from_flag += path is not None
        if path is None:
            path = _from_source_tree(src_dir, name, upload_scripts, destination)
        if path is None and image_scripts_url:
            path = fetch_from_url(image_scripts_url, name, upload_scripts, destination)
        if path is not None:
            found[name] = path
    if scripts_url and from_flag == 0:
        raise BuildError(f"could not get any script from --scripts-url {scripts_url}")
    missing = [name for name in required if name not in found]
    if missing and builder and not image_scripts_url and not scripts_url:
        raise BuildError(not_a_builder(builder, missing))
    if missing:
        raise BuildError(f"failed to install [{' '.join(missing)}]", exit_code=1)
    return found
