"""`seldon-s2i`: build | usage | serve.

    seldon-s2i build SRC BUILDER TAG [flags]   s2i build, on the Docker engine
    seldon-s2i build SRC BUILDER [TAG] --as-dockerfile PATH
    seldon-s2i usage BUILDER                   s2i usage
    seldon-s2i serve DIR [flags]               run a model directory locally

Every user mistake ends in one `ERROR: ...` line and a non-zero exit, never a
traceback. The build modules (and the docker SDK) are imported only when a
command needs them, so `serve` does not import docker and `build` does not
import the runtime.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import List, NoReturn, Optional

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

Exit status: 0 on success, 1 on any failure (after `Build failed` and
`ERROR: An error occurred: non-zero (13) exit code from BUILDER (assemble
exited with status N)` when assemble fails), 130 when interrupted.
"""

BOOLEAN_FLAGS = ("--incremental", "--copy", "--rm", "--quiet")


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (argparse prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        print(f"ERROR: {message} (see `{self.prog} --help`)", file=sys.stderr)
        sys.exit(2)


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


def _build_parser() -> _Parser:
    from .driver.config import DEFAULT_EXCLUDE, DEFAULT_IMAGE_SCRIPTS_URL  # no docker import

    parser = _Parser(prog="seldon-s2i", description="s2i-compatible builds of Seldon model images.")
    commands = parser.add_subparsers(dest="command", metavar="{build,usage,serve}", parser_class=_Parser)
    commands.required = True

    build = commands.add_parser(
        "build", help="build an image from a source directory (s2i build)",
        description=BUILD_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("source", metavar="SRC", help="source directory, file:// path or git URL")
    build.add_argument("builder", metavar="BUILDER", help="s2i builder image")
    build.add_argument("tag", metavar="TAG", nargs="?", default="", help="name:tag of the output image")
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
    return parser


def _config_from_args(args: argparse.Namespace):
    from .driver.config import BuildConfig, check_pull_policy, parse_env_flag, parse_injection

    if not args.tag and not args.as_dockerfile:
        raise _user_error("TAG is required (seldon-s2i build SRC BUILDER TAG)")
    return BuildConfig(
        source=args.source,
        builder=args.builder,
        tag=args.tag,
        env=[parse_env_flag(value) for value in args.env],
        environment_files=args.environment_file,
        incremental=args.incremental,
        incremental_pull_policy=check_pull_policy("--incremental-pull-policy", args.incremental_pull_policy),
        injections=[parse_injection(value) for value in args.inject],
        network=args.network or None,
        pull_policy=check_pull_policy("--pull-policy", args.pull_policy),
        context_dir=args.context_dir,
        assemble_user=args.assemble_user,
        scripts_url=args.scripts_url,
        image_scripts_url=args.image_scripts_url,
        destination=args.destination,
        exclude=args.exclude,
        copy=args.copy,
        ref=args.ref,
        remove_previous=args.remove_previous,
        quiet=args.quiet,
        description=args.description,
        application_name=args.application_name,
        as_dockerfile=args.as_dockerfile,
    )


def _user_error(message: str):
    from .driver.errors import BuildError

    return BuildError(message)


def _build(args: argparse.Namespace) -> int:
    from .driver.config import compile_exclude
    from .driver.engine import Engine
    from .driver.source import preflight

    config = _config_from_args(args)
    compile_exclude(config.exclude)
    preflight(config)
    if config.as_dockerfile:
        from .driver.dockerfile import write_dockerfile
        from .driver.errors import BuildError

        try:
            engine: Optional[Engine] = Engine.connect()
        except BuildError:
            engine = None  # a Dockerfile can be written without an engine
        write_dockerfile(config, engine)
        return 0
    from .driver.engine_build import run_build

    run_build(config, Engine.connect())
    return 0


def _usage(args: argparse.Namespace) -> int:
    from .driver.config import check_pull_policy
    from .driver.engine import Engine
    from .driver.engine_build import run_usage

    return run_usage(args.builder, Engine.connect(), check_pull_policy("--pull-policy", args.pull_policy))


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a cancelled CI job) cleans up like Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        from .runtime.serve import serve_main

        return serve_main(argv[1:])
    args = _build_parser().parse_args(_normalise_booleans(argv))
    from .driver import console
    from .driver.errors import BuildError

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _build(args) if args.command == "build" else _usage(args)
    except BuildError as exc:
        console.error(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("interrupted; temporary containers were removed")
        return 130


if __name__ == "__main__":
    sys.exit(main())
