"""`seldon-s2i serve DIR`: run a model directory locally, as its s2i image would, without a container.

Reads DIR/.s2i/environment with the s2i-exact parser (values literal, nothing stripped), exports
it (the caller's environment wins, like `docker run -e`), and starts the runtime with CWD = DIR.
Unlike an image, it listens on 127.0.0.1 only unless told otherwise (`--host 0.0.0.0` or
SELDON_S2I_HOST): a model on a laptop is not exposed to the network by default.

The runtime's flags (`python -m seldon_s2i.runtime --help`: --protocol, ports, workers, ...) are known
to `serve`'s own parser, so they may come before or after DIR, and a misspelt one is one ERROR line
instead of being taken for the directory; the runtime checks their values.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import List, Mapping, Optional, Tuple

from seldon_s2i.envfile import EnvironmentFileError, read_source_environment
from seldon_s2i.runtime.settings import (
    HOST_ENV,
    LEGACY_API_TYPES,
    PROTOCOLS,
    SERVICE_TYPES,
    V2_SERVICE_TYPES,
    build_parser,
)
from seldon_s2i.usererror import ArgumentParser, report

LOCAL_HOST = "127.0.0.1"
SETTINGS = ("MODEL_NAME", "SERVICE_TYPE", "API_TYPE", "PROTOCOL")
# Where a setting comes from when not from DIR/.s2i/environment (check_settings' `sources`).
FROM_SHELL = "set in the environment seldon-s2i serve runs in, which wins over .s2i/environment"
# Runtime flags that set one of SETTINGS (argparse dest -> name): checked in its place.
FLAG_SETTINGS = {"service_type": "SERVICE_TYPE", "protocol": "PROTOCOL"}


def check_settings(env: Mapping[str, str], env_file: Path,
                   sources: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The first problem with MODEL_NAME, SERVICE_TYPE, API_TYPE and PROTOCOL, in the words `assemble`
    uses for the same mistake (s2i/lib/contract.sh, validate_settings), or None: `serve` accepts what a
    build accepts and nothing else. `sources` names where a setting came from when not from `env_file`
    (the caller's environment, a flag): the message names it instead of the file."""

    def where(name: str) -> str:
        return (sources or {}).get(name) or f"set in {env_file}"

    for name in SETTINGS:
        value = env.get(name, "")
        if ('"' in value or "'" in value) and name in (sources or {}):
            return f"{name}={value} contains quotes ({where(name)}): write {name}={_unquoted(value)}"
        if '"' in value or "'" in value:
            return (f"{name}={value} contains quotes; s2i keeps quotes in .s2i/environment literally. "
                    f"Write {name}={_unquoted(value)}")
    if not env.get("MODEL_NAME"):
        return f"MODEL_NAME is not set: add a line MODEL_NAME=<YourClass> (or package.module.Class) to {env_file}"
    service_type = env.get("SERVICE_TYPE", "")
    if not service_type:
        return (f"SERVICE_TYPE is not set: add a line SERVICE_TYPE=MODEL (one of {', '.join(SERVICE_TYPES)}) "
                f"to {env_file}")
    if service_type not in SERVICE_TYPES:
        return f"SERVICE_TYPE={service_type} is not one of {', '.join(SERVICE_TYPES)} ({where('SERVICE_TYPE')})"
    api_type = env.get("API_TYPE", "")
    if api_type and any(part.strip().upper() not in LEGACY_API_TYPES for part in api_type.split(",")):
        return f"API_TYPE={api_type}: expected REST, GRPC or both (REST,GRPC) ({where('API_TYPE')})"
    protocol = env.get("PROTOCOL", "")
    if protocol and protocol.lower() not in PROTOCOLS:
        return f"PROTOCOL={protocol} is not one of {', '.join(PROTOCOLS)} ({where('PROTOCOL')})"
    if protocol.lower() == "v2" and service_type not in V2_SERVICE_TYPES:
        return (f"PROTOCOL={protocol} with SERVICE_TYPE={service_type}: the Open Inference (V2) protocol has no "
                f"meaning for a {service_type} (only MODEL, TRANSFORMER and OUTPUT_TRANSFORMER infer): "
                "set PROTOCOL=both (V2 beside v1) or v1")
    return None


def _unquoted(value: str) -> str:
    return value.replace('"', "").replace("'", "")


def _add_runtime_options(parser: ArgumentParser) -> List[argparse.Action]:
    """Copy the runtime's options (settings.build_parser; --host is serve's own) into `parser`, as
    strings with no default, so they parse before or after DIR; the runtime checks their values.
    Returns the copies (argparse offers no public list of a parser's actions, hence `_actions`)."""
    group = parser.add_argument_group("runtime flags (before or after the directory; python -m seldon_s2i.runtime)")
    copies = []
    for action in build_parser({})._actions:
        if not action.option_strings or action.dest in ("help", "host"):
            continue
        copies.append(group.add_argument(*action.option_strings, dest=action.dest, nargs=action.nargs,
                                         const=action.const, default=argparse.SUPPRESS, metavar=action.metavar,
                                         help=action.help))
    return copies


def _runtime_flags(args: argparse.Namespace, options: List[argparse.Action]) -> List[str]:
    """The runtime options given, back as flags (`--name=value`; a bare `--flag` for its const)."""
    flags = []
    for action in options:
        if action.dest in vars(args):
            value = getattr(args, action.dest)
            flag = next(name for name in action.option_strings if name.startswith("--"))
            flags.append(flag if action.nargs == "?" and value is action.const else f"{flag}={value}")
    return flags


def _read_arguments(argv: List[str]) -> Tuple[argparse.Namespace, List[str]]:
    """serve's arguments: (directory and --host, the runtime flags to pass on)."""
    parser = ArgumentParser(prog="seldon-s2i serve",
                            description="Serve a model source directory with the Seldon v1 runtime "
                                        "(--protocol v2 or both: also the Open Inference protocol).",
                            usage="seldon-s2i serve [-h] [--host HOST] [runtime flags] directory [runtime flags]",
                            epilog="Runtime flags go to the microservice runtime, before or after the directory, "
                                   "e.g. --protocol {v1,v2,both}, --http-port N, --grpc-port N, --metrics-port N, "
                                   "--workers N, --log-level LEVEL. A flag wins over the same setting in the "
                                   "environment or .s2i/environment (PROTOCOL, GUNICORN_WORKERS, ...).")
    parser.add_argument("directory", help="model source directory (with .s2i/environment)")
    parser.add_argument("--host", default=None,
                        help=f"address to listen on (default: ${HOST_ENV} or {LOCAL_HOST}; "
                             "0.0.0.0 for every interface)")
    options = _add_runtime_options(parser)
    args = parser.parse_args(argv)
    return args, _runtime_flags(args, options)


def serve_main(argv: List[str]) -> int:
    """Serve DIR; runtime flags (e.g. --http-port 9000), before or after DIR, go to the runtime.
    Returns the exit code (2 and one ERROR line for a usage mistake)."""
    args, runtime_flags = _read_arguments(argv)
    directory = Path(args.directory)
    if not directory.is_dir():
        report(f"{directory} is not a directory: give the model's source directory")
        return 2
    sources = {name: FROM_SHELL for name in SETTINGS if name in os.environ}
    try:
        env_file = dict(read_source_environment(directory))
    except EnvironmentFileError as exc:
        report(str(exc))
        return 2
    for name, value in env_file.items():
        os.environ.setdefault(name, value)
    settings = dict(os.environ)
    for dest, name in FLAG_SETTINGS.items():  # a flag wins over the setting, wherever that is set
        given = getattr(args, dest, None)
        if given is not None:  # the runtime upper-cases --service-type (settings.build_parser)
            settings[name] = given.upper() if name == "SERVICE_TYPE" else given
            sources[name] = f"given as --{dest.replace('_', '-')}"
    problem = check_settings(settings, directory / ".s2i" / "environment", sources)
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
