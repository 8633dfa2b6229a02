"""`seldon-s2i serve DIR`: run a model directory locally, as its s2i image would, without a container.

Reads DIR/.s2i/environment with the s2i-exact parser (values literal, nothing stripped), exports
it (the caller's environment wins, like `docker run -e`), and starts the runtime with CWD = DIR.
Unlike an image, it listens on 127.0.0.1 only unless told otherwise (`--host 0.0.0.0` or
SELDON_S2I_HOST): a model on a laptop is not exposed to the network by default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Mapping, Optional

from seldon_s2i.envfile import read_source_environment
from seldon_s2i.runtime.settings import HOST_ENV, LEGACY_API_TYPES, PROTOCOLS, SERVICE_TYPES
from seldon_s2i.usererror import ArgumentParser, report

LOCAL_HOST = "127.0.0.1"


def check_settings(env: Mapping[str, str], env_file: Path) -> Optional[str]:
    """The first problem with MODEL_NAME, SERVICE_TYPE and API_TYPE, in the words `assemble` uses for
    the same mistake (s2i/lib/contract.sh, validate_settings), or None: `serve` accepts what a build
    accepts and nothing else."""
    for name in ("MODEL_NAME", "SERVICE_TYPE", "API_TYPE", "PROTOCOL"):
        value = env.get(name, "")
        if '"' in value or "'" in value:
            return (f"{name}={value} contains quotes; s2i keeps quotes in .s2i/environment literally. "
                    f"Write {name}={value.replace(chr(34), '').replace(chr(39), '')}")
    if not env.get("MODEL_NAME"):
        return f"MODEL_NAME is not set: add a line MODEL_NAME=<YourClass> (or package.module.Class) to {env_file}"
    service_type = env.get("SERVICE_TYPE", "")
    if not service_type:
        return (f"SERVICE_TYPE is not set: add a line SERVICE_TYPE=MODEL (one of {', '.join(SERVICE_TYPES)}) "
                f"to {env_file}")
    if service_type not in SERVICE_TYPES:
        return f"SERVICE_TYPE={service_type} is not one of {', '.join(SERVICE_TYPES)} (set in {env_file})"
    api_type = env.get("API_TYPE", "")
    if api_type and any(part.strip().upper() not in LEGACY_API_TYPES for part in api_type.split(",")):
        return f"API_TYPE={api_type}: expected REST, GRPC or both (REST,GRPC) (set in {env_file})"
    protocol = env.get("PROTOCOL", "")
    if protocol and protocol.lower() not in PROTOCOLS:
        return f"PROTOCOL={protocol} is not one of {', '.join(PROTOCOLS)} (set in {env_file})"
    return None


def serve_main(argv: List[str]) -> int:
    """Serve DIR; extra flags (e.g. --http-port 9000) go to the runtime. Returns the exit code."""
    parser = ArgumentParser(prog="seldon-s2i serve",
                            description="Serve a model source directory with the Seldon v1 runtime "
                                        "(--protocol v2 or both: also the Open Inference protocol).",
                            usage="seldon-s2i serve [-h] [--host HOST] directory [runtime flags]",
                            epilog="Runtime flags follow the directory and go to the microservice runtime, e.g. "
                                   "--protocol {v1,v2,both}, --http-port N, --grpc-port N, --metrics-port N, "
                                   "--workers N, --log-level LEVEL (all of them: "
                                   "python -m seldon_s2i.runtime --help).")
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
    problem = check_settings(os.environ, directory / ".s2i" / "environment")
    if problem:
        report(problem)
        return 2
    model_name = os.environ["MODEL_NAME"]
    runtime_argv = [model_name, "--host", args.host or os.environ.get(HOST_ENV) or LOCAL_HOST]
    if os.environ.get("SERVICE_TYPE"):
        runtime_argv += ["--service-type", os.environ["SERVICE_TYPE"]]
    if os.environ.get("PERSISTENCE"):
        runtime_argv += ["--persistence", os.environ["PERSISTENCE"]]
    os.chdir(directory)
    from seldon_s2i.runtime.__main__ import run

    return run(runtime_argv + runtime_flags)
