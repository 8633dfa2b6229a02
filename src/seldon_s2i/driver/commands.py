"""The `build` and `usage` subcommands: parsed arguments in, an exit code out.

The CLI imports this module once, when one of these subcommands runs; it imports the docker SDK
(through `engine`), so a missing SDK shows here as ModuleNotFoundError for `docker`, which the
CLI turns into one `ERROR:` line naming the extra to install.
"""

from __future__ import annotations

import argparse
from typing import Optional

from .config import BuildConfig, check_pull_policy, compile_exclude, parse_env_flag, parse_injection
from .dockerfile import write_dockerfile
from .engine import Engine
from .engine_build import run_build, run_usage
from .errors import BuildError, UsageError
from .reference import check_tag
from .source import preflight


def config_from_args(args: argparse.Namespace) -> BuildConfig:
    """The BuildConfig of `seldon-s2i build`'s parsed arguments; UsageError on a bad value."""
    if not args.tag and not args.as_dockerfile:
        raise UsageError("TAG is required (seldon-s2i build SRC BUILDER TAG; only --as-dockerfile PATH may omit it)")
    if args.tag:
        check_tag(args.tag)
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


def build(args: argparse.Namespace) -> int:
    """`seldon-s2i build`: check everything up front, then build on the engine or write a Dockerfile."""
    config = config_from_args(args)
    compile_exclude(config.exclude)
    preflight(config)
    if config.as_dockerfile:
        try:
            engine: Optional[Engine] = Engine.connect()
        except BuildError:
            engine = None  # a Dockerfile can be written without an engine
        write_dockerfile(config, engine)
        return 0
    run_build(config, Engine.connect())
    return 0


def usage(args: argparse.Namespace) -> int:
    """`seldon-s2i usage BUILDER`: the builder's usage script's output; its exit code."""
    return run_usage(args.builder, Engine.connect(), check_pull_policy("--pull-policy", args.pull_policy))


COMMANDS = {"build": build, "usage": usage}
