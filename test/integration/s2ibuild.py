"""Build an s2i source directory with a builder image, the way `s2i build` does on Docker.

A small, faithful stand-in for the s2i binary (none on our machines) used by test_builders.py:
stream a tar of {src, scripts, artifacts} into `/bin/sh -c "tar -C /tmp -xf - && assemble"`
running as the image USER with the .s2i/environment variables, then commit that container with
CMD [".../run"]. Incremental builds run the previous image's save-artifacts first. A CA bundle is
bind-mounted into /tmp/ca for the build only (a mount never reaches the committed image), which is
the `-v` recipe of the builder's CA_BUNDLE; s2i's `-i ca:/tmp/ca` truncates it instead.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from seldon_s2i.envfile import read_source_environment

SCRIPTS = "/usr/libexec/s2i"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
INJECTED_CA = "/tmp/ca/ca-certificates.crt"


@dataclass
class BuildResult:
    returncode: int
    log: str
    tag: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _tar_upload(source: Path, artifacts: Optional[bytes]) -> bytes:
    """The upload tar: src/ (without .git), an empty scripts/, and artifacts/ when given."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("src", "scripts"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        tar.add(source, arcname="src", filter=lambda t: None if "/.git" in f"/{t.name}" else t)
        if artifacts:
            with tarfile.open(fileobj=io.BytesIO(artifacts)) as saved:
                for member in saved.getmembers():
                    data = saved.extractfile(member) if member.isfile() else None
                    member.name = f"artifacts/{member.name}"
                    tar.addfile(member, data)
    return buffer.getvalue()


def save_artifacts(image: str) -> bytes:
    """The previous image's save-artifacts output (s2i: exec form, no stdin, stdout = tar)."""
    result = subprocess.run(["docker", "run", "--rm", "--network", "none", image, f"{SCRIPTS}/save-artifacts"],
                            capture_output=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"save-artifacts failed: {result.stderr.decode(errors='replace')}")
    return result.stdout


def s2i_build(source: Path, builder: str, tag: str, env: Optional[Dict[str, str]] = None,
              ca_bundle: Optional[Path] = HOST_CA_BUNDLE, incremental: bool = False) -> BuildResult:
    """Build `source` with `builder` into `tag`; on failure no image is tagged."""
    environment = dict(read_source_environment(str(source)))
    environment.update(env or {})
    artifacts = save_artifacts(tag) if incremental else None
    args = ["docker", "create", "-i", "--network", "host"]
    for name, value in environment.items():
        args += ["-e", f"{name}={value}"]
    if ca_bundle is not None:
        args += ["-v", f"{ca_bundle}:{INJECTED_CA}:ro"]
    args += [builder, "/bin/sh", "-c", f"tar -C /tmp -xf - && {SCRIPTS}/assemble"]
    container = subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    try:
        run = subprocess.run(["docker", "start", "-a", "-i", container], input=_tar_upload(source, artifacts),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1200)
        log = run.stdout.decode(errors="replace")
        if run.returncode == 0:
            subprocess.run(["docker", "commit", "--change", f'CMD ["{SCRIPTS}/run"]', container, tag],
                           capture_output=True, check=True)
        return BuildResult(run.returncode, log, tag)
    finally:
        subprocess.run(["docker", "rm", "-f", "-v", container], capture_output=True)


def copy_app(app: Path, destination: Path) -> Path:
    """A scratch copy of a test app (tests that modify sources must not touch test/apps)."""
    target = destination / app.name
    shutil.copytree(app, target)
    return target


__all__ = ["BuildResult", "s2i_build", "save_artifacts", "copy_app", "INJECTED_CA", "tempfile"]
