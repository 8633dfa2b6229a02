"""`seldon-s2i`: build | usage | serve | deployment.

    seldon-s2i build SRC BUILDER TAG [flags]   s2i build, on the Docker engine
    seldon-s2i build SRC BUILDER [TAG] --as-dockerfile PATH
    seldon-s2i usage BUILDER                   s2i usage
    seldon-s2i serve DIR [flags]               run a model directory locally
    seldon-s2i deployment IMAGE [flags]        a SeldonDeployment for the image (--check FILE validates one)

Every user mistake ends in one `ERROR: ...` line and a non-zero exit, never a
traceback. Each subcommand's module is imported once, at dispatch (the one lazy
seam): `build`/`usage` import seldon_s2i.driver.commands (and the docker SDK, an
extra: `pip install 'seldon-s2i[build]'`), `deployment` seldon_s2i.deployment.commands
(the same extra: docker and jsonschema), `serve` imports
seldon_s2i.runtime.serve; so `serve` does not import docker and `build` does
not import the runtime.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from importlib import metadata
from types import ModuleType
from typing import List, Optional

from . import usererror
from .driver import console
from .driver.config import DEFAULT_EXCLUDE, DEFAULT_IMAGE_SCRIPTS_URL
from .driver.errors import BuildError

BUILD_DESCRIPTION = """\
Build image TAG from the source SRC with the s2i builder image BUILDER, like
`s2i build` (same flags, same image layout, labels and environment).

Local git repositories: the working tree is built as it is (what you see),
without .git. s2i would clone the last commit instead and silently leave out
uncommitted changes and untracked files; we print a warning when the working
tree differs from HEAD. Use --ref REF to build a committed revision like s2i
(clone, checkout REF, submodules). Remote git URLs are cloned.

Environment: .s2i/environment, then -e, then -E (the last definition wins).
Values are literal, as in s2i: quotes and $ are kept. The variables reach
assemble and are baked into the image.

TAG must be a Docker image name (lowercase repository, optional registry/
prefix and :tag, e.g. my-model:0.1); it is checked before anything runs.

Exit status (every failure is one `ERROR: ...` line on stderr):
  0    success
  1    the build failed: a missing file, the engine, a failed assemble (after
       `Build failed` and `ERROR: An error occurred: non-zero (13) exit code from
       BUILDER (assemble exited with status N)`); no image is left behind
  2    usage error: a missing or unknown argument, a missing or invalid TAG, a
       malformed value (-e NAME=VALUE, -i SRC:DST, a pull policy, --exclude)
  130  interrupted (Ctrl-C or SIGTERM); temporary containers are removed
  141  stdout was closed early (e.g. piped into `head`); nothing more is printed
"""
BUILD_USAGE = """seldon-s2i build [options] SRC BUILDER TAG
       seldon-s2i build [options] SRC BUILDER [TAG] --as-dockerfile PATH"""

INTERRUPTED_EXIT = 130  # 128 + SIGINT
PIPE_EXIT = 128 + signal.SIGPIPE
BOOLEAN_FLAGS = ("--incremental", "--copy", "--rm", "--quiet")
DISTRIBUTION = "seldon-s2i"
MISSING_DOCKER_SDK = (
    "seldon-s2i {command} needs the docker SDK, an optional dependency: "
    "pip install 'seldon-s2i[build]' (or pip install 'docker>=7')"
)
# The module of each subcommand the driver's does not serve (imported at dispatch).
SUBCOMMAND_MODULES = {"deployment": ".deployment.commands"}
MISSING_JSONSCHEMA = (
    "seldon-s2i {command} needs jsonschema, an optional dependency: "
    "pip install 'seldon-s2i[build]' (or pip install 'jsonschema>=4.18')"
)


def _normalise_booleans(argv: List[str]) -> List[str]:
    """Accept s2i's `--incremental=true|false` spelling of boolean flags."""
    result = []
    for arg in argv:
        name, sep, value = arg.partition("=")
        if sep and name in BOOLEAN_FLAGS:
            if value.lower() in ("true", "1", "yes"):
                result.append(name)
            elif value.lower() not in ("false", "0", "no"):
                result.append(arg)  # argparse reports the bad value
            continue
        result.append(arg)
    return result


def version() -> str:
    """The installed distribution's version (package metadata), or 'unknown' when not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def _build_parser() -> usererror.ArgumentParser:
    parser = usererror.ArgumentParser(prog="seldon-s2i", description="s2i-compatible builds of Seldon model images.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="{build,usage,serve,deployment}",
                                     parser_class=usererror.ArgumentParser)
    commands.required = True

    build = commands.add_parser(
        "build", help="build an image from a source directory (s2i build)",
        usage=BUILD_USAGE, description=BUILD_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("source", metavar="SRC", help="source directory, file:// path or git URL")
    build.add_argument("builder", metavar="BUILDER", help="s2i builder image")
    build.add_argument("tag", metavar="TAG", nargs="?", default="",
                       help="name[:tag] of the output image (optional only with --as-dockerfile)")
    build.add_argument("-e", "--env", action="append", default=[], metavar="NAME=VALUE",
                       help="build/run environment variable (repeatable)")
    build.add_argument("-E", "--environment-file", action="append", default=[], metavar="FILE",
                       help="file of NAME=VALUE lines (repeatable)")
    build.add_argument("--incremental", action="store_true",
                       help="reuse the previous TAG image's dependency layer, else its save-artifacts")
    build.add_argument("--incremental-pull-policy", default="if-not-present",
                       metavar="POLICY", help="pull policy of the previous image")
    build.add_argument("-i", "--inject", action="append", default=[], metavar="SRC:DST",
                       help="host file/dir visible only to assemble, truncated afterwards (repeatable)")
    build.add_argument("--network", default="host",
                       help="network of the build containers (default: host)")
    build.add_argument("-p", "--pull-policy", default="if-not-present", metavar="POLICY",
                       help="always | never | if-not-present (default) for BUILDER")
    build.add_argument("--context-dir", default="", help="sub directory of SRC to build")
    build.add_argument("--assemble-user", default="", help="user to run assemble as")
    build.add_argument("-s", "--scripts-url", default="",
                       help="image:///dir, file://dir or http(s)://base to take scripts from first")
    build.add_argument("--image-scripts-url", default=DEFAULT_IMAGE_SCRIPTS_URL,
                       help="scripts location assumed by --as-dockerfile when the builder is unknown")
    build.add_argument("--destination", default="", help="where src/, scripts/, artifacts/ go (default: label or /tmp)")
    build.add_argument("--exclude", default=DEFAULT_EXCLUDE,
                       help="regex of source paths to leave out; '' keeps everything (default: .git)")
    build.add_argument("-c", "--copy", action="store_true",
                       help="copy the working tree (the default for local directories; no dirty-tree warning)")
    build.add_argument("--ref", default="", help="build this git revision (clone + checkout, like s2i)")
    build.add_argument("--rm", dest="remove_previous", action="store_true",
                       help="remove the previous image after a successful incremental build")
    build.add_argument("-q", "--quiet", action="store_true", help="do not show assemble's standard output")
    build.add_argument("--description", default="", help="io.k8s.description label")
    build.add_argument("-n", "--application-name", default="", help="io.k8s.display-name label (default: TAG)")
    build.add_argument("--as-dockerfile", default="", metavar="PATH",
                       help="write a Dockerfile and its upload/ context instead of building")

    usage = commands.add_parser("usage", help="print a builder's usage (s2i usage)")
    usage.add_argument("builder", metavar="BUILDER")
    usage.add_argument("-p", "--pull-policy", default="if-not-present", metavar="POLICY")

    commands.add_parser("serve", help="serve a model directory locally (see `seldon-s2i serve --help`)",
                        add_help=False)
    _add_deployment_parser(commands)
    return parser


DEPLOYMENT_DESCRIPTION = """\
Print a SeldonDeployment (machinelearning.seldon.io/v1) that runs IMAGE under
the Seldon Core operator: kubectl apply -f the output. The graph node's type and
endpoint come from the image's SERVICE_TYPE and API_TYPE, spec.protocol from its
PROTOCOL: v1 (or none) -> seldon, v2 -> v2, both -> seldon unless --protocol v2
(its environment; with IMAGE=DIR from DIR/.s2i/environment, for an image not
built yet). A --protocol the images do not serve, or an unknown PROTOCOL, is an
error. --child adds
units below it: TRANSFORMER -> MODEL, a ROUTER or COMBINER over several models.
The output passes --check before it is printed; resources are yours to add.

--check FILE validates any SeldonDeployment (v1, v1alpha2, v1alpha3; YAML or
JSON, several documents; - reads stdin) against the CRD's schema of seldon-core
1.17.1 plus the operator's own checks, and prints one `ERROR: FILE: PATH:
problem` line per problem (exit 1).

Exit status: 0 success, 1 a problem (image not present, invalid manifest),
2 a usage error (a malformed -p, --name or annotation).
"""


def _add_deployment_parser(commands: argparse._SubParsersAction) -> None:
    deploy = commands.add_parser(
        "deployment", help="a SeldonDeployment manifest for images (--check FILE validates one)",
        usage="seldon-s2i deployment IMAGE[=DIR] [--child IMAGE[=DIR]]... [options]\n"
              "       seldon-s2i deployment --check FILE",
        description=DEPLOYMENT_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    deploy.add_argument("unit", metavar="IMAGE[=DIR]", nargs="?", default="",
                        help="the graph's root image; =DIR reads SERVICE_TYPE/API_TYPE from DIR/.s2i/environment")
    deploy.add_argument("--child", action="append", default=[], metavar="IMAGE[=DIR]",
                        help="a unit below the root, in order (repeatable)")
    deploy.add_argument("--check", default="", metavar="FILE", help="validate FILE instead (- for stdin)")
    deploy.add_argument("--name", help="metadata.name (default: the root image's name)")
    deploy.add_argument("--namespace", help="metadata.namespace (default: kubectl's)")
    deploy.add_argument("--predictor", default="default", help="the predictor's name (default: default)")
    deploy.add_argument("--node-name", help="the root node's and container's name (default: the image's)")
    deploy.add_argument("--service-name",
                        help="seldon.io/svc-name, the Service of the executor (default: --name)")
    deploy.add_argument("--replicas", type=int, default=1, help="pods of the predictor (default: 1)")
    deploy.add_argument("--transport", choices=("rest", "grpc"), default="",
                        help="every node's endpoint type (default: rest when all images serve REST)")
    deploy.add_argument("--protocol", choices=("seldon", "v2"),
                        help="the protocol the executor speaks (default: the images' PROTOCOL: v2 -> v2, "
                             "v1 or both -> seldon)")
    deploy.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE:TYPE",
                        help="a root node parameter (PREDICTIVE_UNIT_PARAMETERS; TYPE: INT, FLOAT, DOUBLE, "
                             "STRING, BOOL; repeatable)")
    deploy.add_argument("-a", "--annotation", action="append", default=[], metavar="KEY=VALUE",
                        help="spec.annotations, e.g. seldon.io/rest-timeout=100000, "
                             "seldon.io/grpc-max-message-size=10000000 (repeatable)")
    deploy.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml", help="format (default: yaml)")


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a cancelled CI job) cleans up like Ctrl-C does."""
    raise KeyboardInterrupt


def _driver_commands(command: str) -> ModuleType:
    """Import the subcommand's module; BuildError naming the extra when the docker SDK is missing."""
    try:
        commands = importlib.import_module(SUBCOMMAND_MODULES.get(command, ".driver.commands"), __package__)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("docker", "jsonschema"):
            missing = MISSING_DOCKER_SDK if exc.name.split(".")[0] == "docker" else MISSING_JSONSCHEMA
            raise BuildError(missing.format(command=command)) from exc
        raise
    return commands


def os_error_line(exc: OSError) -> str:
    """One line for an OSError the user's files or directories caused (a path the CLI was given)."""
    paths = " -> ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
    reason = exc.strerror or str(exc)
    if not paths:
        return f"{reason}: check the paths given to seldon-s2i and their permissions"
    return f"cannot use {paths}: {reason} (check that it exists, has the right type and that you may read/write it)"


def _quiet_broken_pipe() -> int:
    """stdout's reader went away (`| head`): point stdout at /dev/null so the exit flush cannot fail.

    The recipe of the Python docs (library/signal.html, "Note on SIGPIPE"); the status is
    128 + SIGPIPE, what a Unix tool killed by SIGPIPE reports.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return PIPE_EXIT


def _run_driver(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _driver_commands(args.command).COMMANDS[args.command](args)
    except BuildError as exc:
        console.error(exc.message)
        return exc.exit_code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except OSError as exc:
        console.error(os_error_line(exc))
        return 1
    except KeyboardInterrupt:
        console.error("interrupted; temporary containers were removed")
        return INTERRUPTED_EXIT


def main(argv: Optional[List[str]] = None) -> int:
    """Run `seldon-s2i ARGV` (default: sys.argv[1:]); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        from .runtime import serve

        return serve.serve_main(argv[1:])
    return _run_driver(_build_parser().parse_args(_normalise_booleans(argv)))


if __name__ == "__main__":
    sys.exit(main())
