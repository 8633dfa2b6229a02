"""Validation of a SeldonDeployment: the CRD's openAPIV3Schema, then what the schema cannot say.

1. The schema: seldon-core 1.17.1's CRD, trimmed by scripts/trim-crd-schema.py to the keywords
   validation reads (`schema/seldondeployment.json`, one schema for every served version: v1,
   v1alpha2, v1alpha3 are identical; Apache-2.0, `schema/LICENSE`), checked with jsonschema.
   Like the API server, null values are pruned first, and `format: int32/int64` are range checks.
2. Unknown fields: the schema has no `additionalProperties: false`, so the API server silently
   drops a misspelt field (`replica:`); we report every field no `properties` names.
3. The operator's own checks (seldon-core 1.17.1 `operator/apis/machinelearning.seldon.io/v1/
   seldondeployment_webhook.go`, `defaults.go`): the enumerations the schema keeps as plain strings
   (node type, endpoint type, parameter type and value, protocol, transport, methods), a graph node
   without a container ("Can't find container for Predictive Unit"), duplicate predictor/container/
   node names, traffic and shadows, mixed endpoint types, a logger without mode, and ours: routers and
   combiners without children, names that are not DNS-1123, and a port clash in a pod (a declared
   containerPort that the operator also gives a graph container, or the executor's).

Every finding is a Problem: the JSON path of the value at fault ($.spec.predictors[0].graph.type)
and one sentence.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, Iterator, List, Tuple, Union

import jsonschema

from . import vocabulary as vocab

PathPart = Union[str, int]
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class Problem:
    """One fault: `path`, the JSON path of the value ($ is the document), and `message`."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def json_path(parts: Tuple[PathPart, ...]) -> str:
    """('spec', 'predictors', 0, 'name') -> $.spec.predictors[0].name (keys with dots or '/' quoted)."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum():
            text += f".{part}"
        else:
            text += f"[{json.dumps(part)}]"
    return text


@lru_cache(maxsize=1)
def crd_schema() -> Dict[str, Any]:
    """The packaged trimmed CRD: {source, crd_sha256, group, kind, versions, openAPIV3Schema}."""
    text = resources.files(__package__).joinpath("schema/seldondeployment.json").read_text(encoding="utf-8")
    return json.loads(text)


def served_api_versions() -> List[str]:
    """apiVersion values the CRD serves: machinelearning.seldon.io/v1, /v1alpha2, /v1alpha3."""
    schema = crd_schema()
    return [f"{schema['group']}/{version}" for version in schema["versions"]]


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    for name, (low, high) in INT_RANGES.items():
        def in_range(value: object, low: int = low, high: int = high) -> bool:
            return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high
        checker.checks(name)(in_range)
    return checker


def prune_nulls(value: Any) -> Any:
    """The document without null values (the API server prunes them before validating)."""
    if isinstance(value, dict):
        return {key: prune_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [prune_nulls(item) for item in value if item is not None]
    return value


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(crd_schema()["openAPIV3Schema"], format_checker=_format_checker())


def schema_problems(document: Any) -> List[Problem]:
    """Every violation of the CRD's openAPIV3Schema, sorted by path."""
    errors = _validator().iter_errors(document)
    found = [Problem(json_path(tuple(error.absolute_path)), error.message) for error in errors]
    return sorted(found, key=lambda problem: problem.path)


def unknown_field_problems(value: Any, schema: Dict[str, Any], path: Tuple[PathPart, ...] = ()) -> Iterator[Problem]:
    """Fields the schema does not name where it names the fields (the API server would drop them)."""
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from unknown_field_problems(item, schema["items"], (*path, index))
    if not isinstance(value, dict):
        return
    known = schema.get("properties")
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        if known is not None and key in known:
            yield from unknown_field_problems(item, known[key], (*path, key))
        elif isinstance(extra, dict):
            yield from unknown_field_problems(item, extra, (*path, key))
        elif known is not None and not extra and not schema.get("x-kubernetes-preserve-unknown-fields"):
            yield Problem(json_path((*path, key)),
                          f"unknown field {key!r} (the API server drops it); known here: {', '.join(sorted(known))}")


def _one_of(value: Any, allowed: Tuple[str, ...], what: str, path: Tuple[PathPart, ...]) -> Iterator[Problem]:
    if value is not None and value not in allowed:
        yield Problem(json_path(path), f"{value!r} is not a valid {what}: expected one of {', '.join(allowed)}")


def _dns_label(value: Any, what: str, path: Tuple[PathPart, ...]) -> Iterator[Problem]:
    if isinstance(value, str) and not vocab.is_dns1123_label(value):
        yield Problem(json_path(path), f"{what} {value!r} is not a DNS-1123 label (lowercase letters, digits "
                                       "and '-', alphanumeric at both ends, at most 63 characters)")


def _duplicates(named: List[Tuple[Any, Tuple[PathPart, ...]]], what: str) -> Iterator[Problem]:
    counts = Counter(name for name, _ in named)
    for name, path in named:
        if counts[name] > 1:
            yield Problem(json_path(path), f"duplicate {what} {name!r}")


def _graph_nodes(node: Any, path: Tuple[PathPart, ...]) -> Iterator[Tuple[Dict[str, Any], Tuple[PathPart, ...]]]:
    if isinstance(node, dict):
        yield node, path
        for index, child in enumerate(node.get("children") or []):
            yield from _graph_nodes(child, (*path, "children", index))


def _containers(predictor: Dict[str, Any], path: Tuple[PathPart, ...]
                ) -> Iterator[Tuple[int, Dict[str, Any], Tuple[PathPart, ...]]]:
    """(componentSpec index, container, path) of every container of the predictor's pods."""
    for j, component in enumerate(predictor.get("componentSpecs") or []):
        pod = (component or {}).get("spec") or {}
        for k, container in enumerate(pod.get("containers") or []):
            if isinstance(container, dict):
                yield j, container, (*path, "componentSpecs", j, "spec", "containers", k)


def _node_problems(node: Dict[str, Any], path: Tuple[PathPart, ...], containers: set) -> Iterator[Problem]:
    implementation = node.get("implementation")
    has_implementation = implementation not in (None, "", vocab.UNKNOWN_IMPLEMENTATION)
    name = node.get("name")
    if name is not None and name not in containers and not has_implementation:
        yield Problem(json_path((*path, "name")), f"graph node {name!r} has no container of that name in "
                                                  "componentSpecs (and no implementation)")
    yield from _one_of(node.get("type"), vocab.NODE_TYPES, "node type", (*path, "type"))
    if node.get("type") == "UNKNOWN_TYPE" and not node.get("methods") and not has_implementation:
        yield Problem(json_path((*path, "type")), "UNKNOWN_TYPE without methods: give a known type or the methods")
    if isinstance(node.get("logger"), dict) and not node["logger"].get("mode"):
        yield Problem(json_path((*path, "logger", "mode")), "missing: the logger needs a mode (request, response, all)")
    if node.get("type") in vocab.NEEDS_CHILDREN and not node.get("children"):
        yield Problem(json_path((*path, "children")), f"a {node['type']} needs children")
    yield from _one_of((node.get("endpoint") or {}).get("type"), vocab.ENDPOINT_TYPES, "endpoint type",
                       (*path, "endpoint", "type"))
    for index, method in enumerate(node.get("methods") or []):
        yield from _one_of(method, vocab.NODE_METHODS, "method", (*path, "methods", index))
    for index, parameter in enumerate(node.get("parameters") or []):
        if not isinstance(parameter, dict):
            continue
        where = (*path, "parameters", index)
        yield from _one_of(parameter.get("type"), vocab.PARAMETER_TYPES, "parameter type", (*where, "type"))
        kind, value = parameter.get("type"), parameter.get("value")
        if kind in vocab.PARAMETER_TYPES and isinstance(value, str) and not vocab.reads_as(kind, value):
            yield Problem(json_path((*where, "value")), f"{value!r} is not a valid {kind} value")


def _declared_ports(container: Dict[str, Any]) -> Dict[str, int]:
    return {str(port.get("name", "")): port["containerPort"] for port in container.get("ports") or []
            if isinstance(port, dict) and isinstance(port.get("containerPort"), int)}


def _port_problems(predictor: Dict[str, Any], path: Tuple[PathPart, ...], nodes: set) -> Iterator[Problem]:
    """Two users of one port in a pod, with the ports the operator assigns (defaults.go) counted in."""
    next_port = {"http": vocab.FIRST_HTTP_PORT, "grpc": vocab.FIRST_GRPC_PORT, "metrics": vocab.FIRST_METRICS_PORT}
    owners: Dict[Tuple[int, int], str] = {}
    for j, container, where in _containers(predictor, path):
        declared = _declared_ports(container)
        used: List[Tuple[int, str]] = [(port, f"its port {name or port}") for name, port in declared.items()]
        if container.get("name") in nodes:
            for kind in ("http", "grpc", "metrics"):
                if kind not in declared or kind == "metrics":
                    used.append((next_port[kind], f"the operator's {kind} port"))
                    next_port[kind] += 1
        for port, what in used:
            key = (j, port)
            label = f"container {container.get('name')!r} ({what})"
            if key in owners and owners[key] != label:
                yield Problem(json_path((*where, "ports")),
                              f"port {port} clashes in the pod: {label} and {owners[key]}")
            owners.setdefault(key, label)
    for port in vocab.EXECUTOR_PORTS:
        if (0, port) in owners:
            yield Problem(json_path((*path, "componentSpecs", 0)),
                          f"port {port} is the executor's (seldon-container-engine), used by {owners[(0, port)]}")


def _predictor_problems(predictor: Dict[str, Any], path: Tuple[PathPart, ...]) -> Iterator[Problem]:
    containers = list(_containers(predictor, path))
    container_names = {container.get("name") for _, container, _ in containers}
    for _, container, where in containers:
        yield from _dns_label(container.get("name"), "container name", (*where, "name"))
    yield from _duplicates([(container.get("name"), (*where, "name")) for _, container, where in containers],
                           "container name in the predictor")
    nodes = list(_graph_nodes(predictor.get("graph"), (*path, "graph")))
    yield from _duplicates([(node.get("name"), (*where, "name")) for node, where in nodes], "graph node name")
    for node, where in nodes:
        yield from _node_problems(node, where, container_names)
    yield from _port_problems(predictor, path, {node.get("name") for node, _ in nodes})


def _traffic_problems(predictors: List[Dict[str, Any]]) -> Iterator[Problem]:
    """The webhook's checkTraffic and validateShadow."""
    shadows = [i for i, p in enumerate(predictors) if p.get("shadow")]
    for index in shadows[1:]:
        yield Problem(json_path(("spec", "predictors", index, "shadow")), "only one predictor may be a shadow")
    if len(predictors) == 1 and shadows:
        yield Problem("$.spec.predictors[0].shadow", "a shadow cannot be the only predictor")
    total = sum(p.get("traffic") or 0 for p in predictors if not p.get("shadow"))
    if total != 100 and len(predictors) - len(shadows) > 1:
        yield Problem("$.spec.predictors", f"the predictors' traffic adds up to {total}, not 100")
    if 0 < total < 100 and len(predictors) == 1:
        yield Problem("$.spec.predictors[0].traffic",
                      f"a single predictor's traffic, when set, must be 100, not {total}")


def _transport_problems(spec: Dict[str, Any], predictors: List[Dict[str, Any]]) -> Iterator[Problem]:
    """The webhook's rule: one endpoint type in all graphs, agreeing with spec.transport when both are set."""
    types = {str((node.get("endpoint") or {}).get("type")) for p in predictors
             for node, _ in _graph_nodes(p.get("graph"), ()) if (node.get("endpoint") or {}).get("type")}
    if len(types) > 1:
        yield Problem("$.spec", f"the graph mixes endpoint types ({', '.join(sorted(types))}): use one, "
                                "or spec.transport alone")
    elif types and spec.get("transport") and spec["transport"].upper() != next(iter(types)):
        yield Problem("$.spec.transport", f"{spec['transport']!r} disagrees with the graph's endpoint type "
                                          f"{next(iter(types))}: remove the endpoint types or change transport")
    for index, predictor in enumerate(predictors):
        if "seldon.io/no-engine" in (predictor.get("annotations") or {}) and \
                len(list(_graph_nodes(predictor.get("graph"), ()))) > 1:
            yield Problem(json_path(("spec", "predictors", index)), "seldon.io/no-engine works only for a "
                                                                    "single-node graph")


def operator_problems(document: Dict[str, Any]) -> Iterator[Problem]:
    """The checks of the operator's webhook and defaults that the schema cannot express."""
    name = (document.get("metadata") or {}).get("name")
    if not name:
        yield Problem("$.metadata.name", "missing: a SeldonDeployment needs a name")
    elif not isinstance(name, str) or not vocab.is_dns1123_subdomain(name):
        yield Problem("$.metadata.name", f"{name!r} is not a DNS-1123 subdomain (lowercase letters, digits, "
                                         "'-' and '.', alphanumeric at both ends)")
    spec = document.get("spec") or {}
    yield from _one_of(spec.get("protocol"), vocab.PROTOCOLS, "protocol", ("spec", "protocol"))
    yield from _one_of(spec.get("transport"), vocab.TRANSPORTS, "transport", ("spec", "transport"))
    predictors = [p for p in spec.get("predictors") or [] if isinstance(p, dict)]
    if not predictors:
        yield Problem("$.spec.predictors", "the graph has no predictors")
    yield from _duplicates([(p.get("name"), ("spec", "predictors", i, "name")) for i, p in enumerate(predictors)],
                           "predictor name")
    yield from _traffic_problems(predictors)
    yield from _transport_problems(spec, predictors)
    for index, predictor in enumerate(predictors):
        yield from _predictor_problems(predictor, ("spec", "predictors", index))


def validate(document: Any) -> List[Problem]:
    """Every problem of a SeldonDeployment document (parsed YAML/JSON); [] when the operator takes it.

    apiVersion must be one the CRD serves and kind SeldonDeployment; the schema, the unknown-field
    and the operator checks run only on a schema-valid shape's parts they can read (a wrong type
    is reported once, by the schema)."""
    if not isinstance(document, dict):
        return [Problem("$", f"a SeldonDeployment is a mapping, not {type(document).__name__}")]
    problems: List[Problem] = []
    if document.get("apiVersion") not in served_api_versions():
        served = ", ".join(served_api_versions())
        problems.append(Problem("$.apiVersion", f"{document.get('apiVersion')!r} is not served by the "
                                                f"SeldonDeployment CRD: expected one of {served}"))
    if document.get("kind") != vocab.KIND:
        problems.append(Problem("$.kind", f"{document.get('kind')!r}: expected {vocab.KIND}"))
    document = prune_nulls(document)
    structural = schema_problems(document)
    problems += structural
    problems += unknown_field_problems(document, crd_schema()["openAPIV3Schema"])
    if not structural:
        problems += operator_problems(document)
    return problems
