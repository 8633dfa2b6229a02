"""`seldon-s2i deployment` reading images on the real engine: the mistakes a user makes with them.
(A manifest from a built image is test_operator_contract.py's: its MODEL unit comes from the image.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SELDON_S2I = str(Path(sys.executable).with_name("seldon-s2i"))


@pytest.mark.parametrize("image, line", [
    ("my-registry/not-built-here:0.1",
     "ERROR: image my-registry/not-built-here:0.1 is not present locally: build it first (seldon-s2i build SRC "
     "BUILDER my-registry/not-built-here:0.1), pull it, or give IMAGE=SRC_DIR"),
    ("seldon-python311",
     "ERROR: image seldon-python311 has no SERVICE_TYPE in its environment (no s2i build made it; its build set "
     "none): build it with a seldon-s2i builder and SERVICE_TYPE in .s2i/environment"),
])
def test_an_image_that_is_not_a_local_model_image_is_one_error_line(image: str, line: str) -> None:
    result = subprocess.run([SELDON_S2I, "deployment", image], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", line + "\n")
