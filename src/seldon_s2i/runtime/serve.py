"""`seldon-s2i serve DIR`: run a model directory locally, as its s2i image would, without a container.

Reads DIR/.s2i/environment with the s2i-exact parser (values literal, nothing stripped), exports
it (the caller's environment wins, like `docker run -e`), and starts the runtime with CWD = DIR.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

from seldon_s2i.envfile import read_source_environment
from seldon_s2i.usererror import ArgumentParser, report


def serve_main(argv: List[str]) -> int:
    """Serve DIR; extra flags (e.g. --http-port 9000) go to the runtime. Returns the exit code."""
    parser = ArgumentParser(prog="seldon-s2i serve",
                            description="Serve a model source directory with the Seldon v1 runtime.")
    parser.add_argument("directory", help="model source directory (with .s2i/environment)")
    args, runtime_flags = parser.parse_known_args(argv)
    directory = Path(args.directory)
    if not directory.is_dir():
        report(f"{directory} is not a directory")
        return 2
    env_file = dict(read_source_environment(directory))
    for name, value in env_file.items():
        os.environ.setdefault(name, value)
    model_name = os.environ.get("MODEL_NAME", "")
    if not model_name:
        report(f"MODEL_NAME is not set: add MODEL_NAME=YourClass to {directory / '.s2i' / 'environment'}")
        return 2
    runtime_argv = [model_name]
    if os.environ.get("SERVICE_TYPE"):
        runtime_argv += ["--service-type", os.environ["SERVICE_TYPE"]]
    if os.environ.get("PERSISTENCE"):
        runtime_argv += ["--persistence", os.environ["PERSISTENCE"]]
    os.chdir(directory)
    from seldon_s2i.runtime.__main__ import run

    return run(runtime_argv + runtime_flags)
