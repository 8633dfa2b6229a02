"""The `deployment` subcommand: a SeldonDeployment for images, or `--check FILE` of any manifest.

    seldon-s2i deployment IMAGE[=DIR] [--child IMAGE[=DIR]]... [flags]   the manifest on stdout
    seldon-s2i deployment --check FILE                                   one line per problem

The CLI imports this module once, at dispatch. A user's mistake is a BuildError (one `ERROR:` line;
UsageError exits 2); an invalid manifest prints every problem as `ERROR: FILE: PATH: message`
and exits 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

import yaml

from ..driver import console
from ..driver.engine import Engine
from ..driver.errors import BuildError, UsageError
from .manifest import Manifest, Options, build_manifest, default_protocol, default_transport
from .units import Unit, check_name, name_of_image, parse_parameter, read_unit, split_unit_argument
from .validate import validate

# Kubernetes' annotation keys: an optional DNS-1123 subdomain prefix and "/", then a name of at most 63
# characters, alphanumeric at both ends, with "-", "_", "." inside (apimachinery's IsQualifiedName).
_ANNOTATION_KEY = re.compile(r"^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                             r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def _annotation(text: str) -> tuple:
    """(key, value) of `-a KEY=VALUE`; UsageError unless KEY is a Kubernetes qualified name."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"annotation {text!r} is not of the form KEY=VALUE (e.g. seldon.io/rest-timeout=100000)")
    key = key.strip()
    prefix = key.rpartition("/")[0]
    if not _ANNOTATION_KEY.match(key) or len(prefix) > 253:
        raise UsageError(f"annotation key {key!r} is not a Kubernetes annotation key "
                         "([prefix/]name: letters, digits, '-', '_', '.'; e.g. seldon.io/rest-timeout)")
    return key, value


def _unique(name: str, taken: Set[str]) -> str:
    """name, or name-2, name-3, ... when a unit of the graph has it already (two tags of one image)."""
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name[:60].rstrip('-')}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _engine_factory() -> Callable[[], Engine]:
    engine: List[Engine] = []

    def get() -> Engine:
        if not engine:
            engine.append(Engine.connect())
        return engine[0]

    return get


def read_graph(args: argparse.Namespace) -> Unit:
    """The root unit (the positional IMAGE, with -p's parameters) and its --child units."""
    if not args.unit:
        raise UsageError("give an IMAGE (seldon-s2i deployment IMAGE[=DIR] ...) or --check FILE")
    engine = _engine_factory()
    taken: Set[str] = set()
    image, directory = split_unit_argument(args.unit)
    root_name = name_of_image(image) if args.node_name is None else check_name(args.node_name, "--node-name")
    parameters = [parse_parameter(p) for p in args.parameter]
    names = [parameter["name"] for parameter in parameters]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise UsageError(f"-p {twice[0]}: the parameter is given more than once")
    root = read_unit(engine, image, directory, _unique(root_name, taken), parameters)
    for argument in args.child:
        image, directory = split_unit_argument(argument)
        root.children.append(read_unit(engine, image, directory, _unique(name_of_image(image), taken), []))
    return root


def options_from_args(args: argparse.Namespace, root: Unit) -> Options:
    """Options from the flags. A name flag given is checked even when empty (`--name ''` is refused, not
    taken for the default); the name defaults to the root image's name (not --node-name's), spec.protocol
    to what the images serve (default_protocol)."""
    if not 0 <= args.replicas <= INT32_MAX:  # the CRD's replicas is an int32
        raise UsageError(f"--replicas {args.replicas}: give 0 to {INT32_MAX}")
    name = name_of_image(root.image) if args.name is None else check_name(args.name, "--name")
    return Options(
        name=name,
        namespace=None if args.namespace is None else check_name(args.namespace, "--namespace"),
        predictor=check_name(args.predictor, "--predictor"),
        replicas=args.replicas,
        transport=args.transport or default_transport(root),
        protocol=args.protocol or default_protocol(root),
        service_name=None if args.service_name is None else check_name(args.service_name, "--service-name"),
        annotations=dict(_annotation(text) for text in args.annotation),
    )


def render(manifest: Manifest, output: str) -> str:
    """The manifest as YAML (kubectl's field order: apiVersion, kind, metadata, spec) or JSON."""
    if output == "json":
        return json.dumps(manifest, indent=2) + "\n"
    return yaml.safe_dump(manifest, sort_keys=False, default_flow_style=False)


def generate(args: argparse.Namespace) -> int:
    """Print the SeldonDeployment of the images; it passes our own --check before it is printed."""
    root = read_graph(args)
    manifest = build_manifest(root, options_from_args(args, root))
    problems = validate(manifest)
    if problems:  # a fault of ours, not the user's: say so plainly
        raise BuildError(f"internal error: the generated manifest is invalid at {problems[0]} (please report it)")
    sys.stdout.write(render(manifest, args.output))
    return 0


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a mapping with the same key twice (kubectl refuses it too; PyYAML
    would silently keep the last value)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# A manifest is a shallow tree: these bound what --check walks, so a hostile file (a YAML alias that
# refers to its own node, an "alias bomb" that expands exponentially, 5000 nested lists) is one ERROR
# line instead of a RecursionError traceback or a walk that never ends.
MAX_DEPTH = 64
INT32_MAX = 2**31 - 1
MAX_NODES = 200_000


def _check_size(document: Any, where: str) -> None:
    """BuildError when `document` nests deeper than MAX_DEPTH or holds more than MAX_NODES values once
    its YAML aliases are expanded (a self-referencing alias has no end, so it fails the depth bound)."""
    stack, nodes = [(document, 1)], 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise BuildError(f"{where} nests more than {MAX_DEPTH} levels deep (or a YAML alias refers to "
                             "the node that holds it): not a SeldonDeployment")
        if nodes > MAX_NODES:
            raise BuildError(f"{where} holds more than {MAX_NODES} values once its YAML aliases are expanded: "
                             "not a SeldonDeployment")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)


def _load_documents(path: str) -> List[Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise BuildError(f"{path} is not valid YAML or JSON: it is not UTF-8 text") from None
    try:
        documents = [document for document in yaml.load_all(text, Loader=_UniqueKeyLoader) if document is not None]
    except RecursionError:
        raise BuildError(f"{path} nests too deeply to be read: not a SeldonDeployment") from None
    except yaml.YAMLError as exc:
        mark: Optional[Any] = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BuildError(f"{path} is not valid YAML or JSON{where}: {problem}") from None
    for document in documents:
        _check_size(document, path)
    return documents


def check(path: str) -> int:
    """`--check FILE` (`-` for stdin): every problem of every document, one line each; 1 if any."""
    documents = _load_documents(path)
    if not documents:
        raise BuildError(f"{path} holds no document: expected a SeldonDeployment")
    failed = 0
    for index, document in enumerate(documents):
        prefix = f"{path}: " if len(documents) == 1 else f"{path} (document {index + 1}): "
        problems = validate(document)
        for problem in problems:
            console.error(f"{prefix}{problem}")
        failed += bool(problems)
    if failed:
        return 1
    versions = sorted({str(document.get("apiVersion")) for document in documents})
    print(f"{path}: {len(documents)} valid SeldonDeployment{'s' if len(documents) > 1 else ''} ({', '.join(versions)})")
    return 0


def deployment(args: argparse.Namespace) -> int:
    """`seldon-s2i deployment`: --check FILE, else generate the manifest."""
    if args.check:
        if args.unit and not args.child and not args.unit.partition("=")[0].count(":") and \
                Path(args.unit).suffix.lower() in (".yaml", ".yml", ".json"):
            raise UsageError(f"--check takes one FILE ({args.unit} was read as an IMAGE): check each file in its "
                             "own run, or all at once from one file of several documents (---)")
        if args.unit or args.child:
            raise UsageError("--check FILE takes no IMAGE or --child: check a file, or generate one")
        return check(args.check)
    return generate(args)


COMMANDS: Dict[str, Callable[[argparse.Namespace], int]] = {"deployment": deployment}
