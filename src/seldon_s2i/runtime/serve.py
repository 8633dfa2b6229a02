"""`seldon-s2i serve DIR`: run a model directory locally, as its s2i image would, without a container.

Reads DIR/.s2i/environment with the s2i-exact parser (values literal, nothing stripped), exports
it (the caller's environment wins, like `docker run -e`), and starts the runtime with CWD = DIR.
Unlike an image, it listens on 127.0.0.1 only unless told otherwise (`--host 0.0.0.0` or
SELDON_S2I_HOST): a model on a laptop is not exposed to the network by default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

from seldon_s2i.envfile import read_source_environment
from seldon_s2i.runtime.settings import HOST_ENV
from seldon_s2i.usererror import ArgumentParser, report

LOCAL_HOST = "127.0.0.1"


def serve_main(argv: List[str]) -> int:
    """Serve DIR; extra flags (e.g. --http-port 9000) go to the runtime. Returns the exit code."""
    parser = ArgumentParser(prog="seldon-s2i serve",
                            description="Serve a model source directory with the Seldon v1 runtime.")
    parser.add_argument("directory", help="model source directory (with .s2i/environment)")
    parser.add_argument("--host", default=None,
                        help=f"address to listen on (default: ${HOST_ENV} or {LOCAL_HOST}; "
                             "0.0.0.0 for every interface)")
    args, runtime_flags = parser.parse_known_args(argv)
    directory = Path(args.directory)
    if not directory.is_dir():
        report(f"{directory} is not a directory: give the model's source directory")
        return 2
    env_file = dict(read_source_environment(directory))
    for name, value in env_file.items():
        os.environ.setdefault(name, value)
    model_name = os.environ.get("MODEL_NAME", "")
    if not model_name:
        report(f"MODEL_NAME is not set: add a line MODEL_NAME=<YourClass> to {directory / '.s2i' / 'environment'}")
        return 2
    runtime_argv = [model_name, "--host", args.host or os.environ.get(HOST_ENV) or LOCAL_HOST]
    if os.environ.get("SERVICE_TYPE"):
        runtime_argv += ["--service-type", os.environ["SERVICE_TYPE"]]
    if os.environ.get("PERSISTENCE"):
        runtime_argv += ["--persistence", os.environ["PERSISTENCE"]]
    os.chdir(directory)
    from seldon_s2i.runtime.__main__ import run

    return run(runtime_argv + runtime_flags)
