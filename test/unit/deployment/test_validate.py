"""validate: the CRD's schema (for v1, v1alpha2, v1alpha3), unknown fields and the operator's checks,
each problem with the JSON path of the value at fault."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from seldon_s2i.deployment.validate import crd_schema, validate

MANIFESTS = Path(__file__).parent / "manifests"
ARTICLE = yaml.safe_load((MANIFESTS / "article-v1alpha2.yaml").read_text())


def with_changes(document: Dict[str, Any], **paths: Any) -> Dict[str, Any]:
    """A deep copy with values set at dotted paths (numbers index lists): spec.predictors.0.name='x'."""
    result = copy.deepcopy(document)
    for dotted, value in paths.items():
        *parents, last = [int(p) if p.isdigit() else p for p in dotted.split("__")]
        target = result
        for part in parents:
            target = target[part]
        target[last] = value
    return result


def fixed_article() -> Dict[str, Any]:
    """The article's file with its graph node named like its container."""
    return with_changes(ARTICLE, spec__predictors__0__graph__name="my-model-graph")


def paths(document: Any) -> set:
    return {problem.path for problem in validate(document)}


def test_the_articles_file_as_printed_names_a_graph_node_that_has_no_container():
    """The article's node `classifier` runs container `my-model-graph`: the 1.17.1 webhook refuses it
    ("Can't find container for Predictive Unit"), and so do we, at that node's name, and nothing else."""
    problems = validate(ARTICLE)
    assert [str(p) for p in problems] == [
        "$.spec.predictors[0].graph.name: graph node 'classifier' has no container of that name in componentSpecs "
        "(and no implementation)"]


@pytest.mark.parametrize("version", ["v1", "v1alpha2", "v1alpha3"])
def test_the_articles_file_with_matching_names_is_valid_in_every_served_version(version):
    assert validate(with_changes(fixed_article(), apiVersion=f"machinelearning.seldon.io/{version}")) == []


def test_the_packaged_schema_is_one_trimmed_schema_for_the_three_served_versions():
    schema = crd_schema()
    assert schema["versions"] == ["v1", "v1alpha2", "v1alpha3"]
    assert '"description"' not in yaml.safe_dump(schema["openAPIV3Schema"])
    assert (Path(__import__("seldon_s2i.deployment").deployment.__file__).parent / "schema" / "LICENSE").is_file()


@pytest.mark.parametrize("changes, path, fragment", [
    ({"apiVersion": "machinelearning.seldon.io/v2"}, "$.apiVersion", "is not served by the SeldonDeployment CRD"),
    ({"kind": "Deployment"}, "$.kind", "expected SeldonDeployment"),
    ({"spec__predictors__0__replicas": "3"}, "$.spec.predictors[0].replicas", "'3' is not of type 'integer'"),
    ({"spec__predictors__0__replicas": 2**31}, "$.spec.predictors[0].replicas", "is not a 'int32'"),
    ({"spec__predictors__0__replica": 2}, "$.spec.predictors[0].replica", "unknown field 'replica'"),
    ({"spec__predictors__0__graph__endpoint__typ": "REST"}, "$.spec.predictors[0].graph.endpoint.typ",
     "unknown field 'typ'"),
    ({"spec__predictors__0__graph__type": "MODLE"}, "$.spec.predictors[0].graph.type", "is not a valid node type"),
    ({"spec__predictors__0__graph__endpoint__type": "HTTP"}, "$.spec.predictors[0].graph.endpoint.type",
     "is not a valid endpoint type"),
    ({"spec__predictors__0__graph__parameters": [{"name": "n", "value": "x", "type": "INT"}]},
     "$.spec.predictors[0].graph.parameters[0].value", "'x' is not a valid INT value"),
    ({"spec__predictors__0__graph__parameters": [{"name": "n", "value": "1"}]},
     "$.spec.predictors[0].graph.parameters[0]", "'type' is a required property"),
    ({"spec__protocol": "grpc"}, "$.spec.protocol", "is not a valid protocol"),
    ({"spec__transport": "grpc"}, "$.spec.transport", "disagrees with the graph's endpoint type REST"),
    ({"metadata__name": "My_Model"}, "$.metadata.name", "is not a DNS-1123 subdomain"),
    ({"spec__predictors__0__componentSpecs__0__spec__containers__0__name": "Model"},
     "$.spec.predictors[0].componentSpecs[0].spec.containers[0].name", "is not a DNS-1123 label"),
    ({"spec__predictors__0__graph__type": "ROUTER"}, "$.spec.predictors[0].graph.children", "a ROUTER needs children"),
    ({"spec__predictors__0__traffic": 50}, "$.spec.predictors[0].traffic", "must be 100, not 50"),
])
def test_each_problem_is_reported_at_the_json_path_of_the_value_at_fault(changes, path, fragment):
    problems = [p for p in validate(with_changes(fixed_article(), **changes)) if p.path == path]
    assert problems and fragment in problems[0].message, validate(with_changes(fixed_article(), **changes))


def test_every_problem_of_a_broken_file_is_listed_not_only_the_first():
    broken = with_changes(fixed_article(), metadata__name="My_Model", spec__protocol="seldonn",
                          spec__predictors__0__replica=2, spec__predictors__0__graph__type="MODLE")
    assert paths(broken) == {"$.metadata.name", "$.spec.protocol", "$.spec.predictors[0].replica",
                             "$.spec.predictors[0].graph.type"}


def test_duplicate_names_and_nodes_without_containers_are_found_in_children():
    document = fixed_article()
    predictor = document["spec"]["predictors"][0]
    predictor["componentSpecs"][0]["spec"]["containers"].append({"name": "my-model-graph", "image": "other:1"})
    predictor["graph"]["children"] = [{"name": "my-model-graph", "type": "MODEL"}, {"name": "ghost", "type": "MODEL"}]
    found = {str(p) for p in validate(document)}
    assert "$.spec.predictors[0].graph.children[1].name: graph node 'ghost' has no container of that name in " \
           "componentSpecs (and no implementation)" in found
    assert "$.spec.predictors[0].graph.children[0].name: duplicate graph node name 'my-model-graph'" in found
    assert "$.spec.predictors[0].componentSpecs[0].spec.containers[1].name: duplicate container name in the " \
           "predictor 'my-model-graph'" in found


def test_a_node_served_by_an_implementation_needs_no_container():
    document = fixed_article()
    document["spec"]["predictors"][0]["graph"]["children"] = [
        {"name": "sklearn", "type": "MODEL", "implementation": "SKLEARN_SERVER", "modelUri": "gs://bucket/model"}]
    assert validate(document) == []


@pytest.mark.parametrize("port, fragment", [
    (9000, "port 9000 clashes in the pod: container 'sidecar' (its port web) and container 'my-model-graph' "
           "(the operator's http port)"),
    (6000, "the operator's metrics port"),
    (8000, "port 8000 is the executor's (seldon-container-engine)"),
])
def test_a_declared_port_that_the_operator_or_the_executor_uses_in_the_pod_is_a_clash(port, fragment):
    document = fixed_article()
    document["spec"]["predictors"][0]["componentSpecs"][0]["spec"]["containers"].append(
        {"name": "sidecar", "image": "sidecar:1", "ports": [{"name": "web", "containerPort": port}]})
    messages = [p.message for p in validate(document)]
    assert any(fragment in message for message in messages), messages


def test_a_graph_containers_own_http_port_is_kept_and_clashes_with_nothing():
    document = fixed_article()
    document["spec"]["predictors"][0]["componentSpecs"][0]["spec"]["containers"][0]["ports"] = [
        {"name": "http", "containerPort": 7000}]
    assert validate(document) == []


def test_null_values_are_pruned_like_the_api_server_does():
    assert validate(with_changes(fixed_article(), spec__predictors__0__labels=None)) == []


def test_two_predictors_must_split_the_traffic_and_have_distinct_names():
    document = fixed_article()
    document["spec"]["predictors"].append(copy.deepcopy(document["spec"]["predictors"][0]))
    assert {str(p) for p in validate(document)} == {
        "$.spec.predictors[0].name: duplicate predictor name 'my-graph'",
        "$.spec.predictors[1].name: duplicate predictor name 'my-graph'",
        "$.spec.predictors: the predictors' traffic adds up to 0, not 100"}
    document["spec"]["predictors"][1]["name"] = "canary"
    document["spec"]["predictors"][0]["traffic"], document["spec"]["predictors"][1]["traffic"] = 75, 25
    assert validate(document) == []


def test_something_that_is_not_a_mapping_is_one_problem_at_the_root():
    assert [str(p) for p in validate(["a", "list"])] == ["$: a SeldonDeployment is a mapping, not list"]
