"""The docker CLI, for the tests that run images (one helper for every test folder; test/ is on sys.path)."""

from __future__ import annotations

import json
import subprocess
from typing import Any, Dict, Optional


def docker(*args: str, check: bool = True, timeout: float = 900, input: Optional[bytes] = None,
           text: bool = False) -> subprocess.CompletedProcess:
    """Run the docker CLI and capture its output (bytes, or str with text=True).

    A failing command (with check) raises AssertionError carrying docker's stderr, so the test
    report says what docker complained about.
    """
    result = subprocess.run(["docker", *args], input=input, capture_output=True, timeout=timeout, text=text)
    if check and result.returncode != 0:
        stderr = result.stderr if text else result.stderr.decode(errors="replace")
        raise AssertionError(f"docker {' '.join(args)} failed ({result.returncode}):\n{stderr}")
    return result


def image_exists(reference: str) -> bool:
    """Whether the engine has an image by this tag or id."""
    return docker("image", "inspect", reference, check=False).returncode == 0


def inspect_image(reference: str) -> Dict[str, Any]:
    """`docker image inspect` of one image, as a dict (Id, Parent, Config, ...)."""
    return json.loads(docker("image", "inspect", reference).stdout)[0]


def inspect_config(reference: str) -> Dict[str, Any]:
    """The image's Config (Env, Cmd, User, Labels, ...)."""
    return inspect_image(reference)["Config"]


def env_dict(config: Dict[str, Any]) -> Dict[str, str]:
    """An image Config's Env list (NAME=value items) as a dict."""
    return dict(item.split("=", 1) for item in config["Env"])
