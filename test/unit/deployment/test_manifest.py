"""manifest: the SeldonDeployment of a graph, for every service type and the multi-node graphs;
every manifest built here passes validate() (the CRD's schema and the operator's checks)."""

from __future__ import annotations

from typing import List

import pytest

from seldon_s2i.deployment.manifest import Options, build_manifest, default_protocol, default_transport
from seldon_s2i.deployment.units import Facts, Unit
from seldon_s2i.deployment.validate import validate
from seldon_s2i.deployment.vocabulary import NEEDS_CHILDREN, NODE_TYPE_OF_SERVICE_TYPE
from seldon_s2i.driver.errors import BuildError

REST_GRPC = ("REST", "GRPC")


def unit(name: str, service_type: str = "MODEL", api_types=REST_GRPC, children: List[Unit] = (),
         protocol: str = "v1") -> Unit:
    return Unit(name=name, image=f"my-registry/{name}:0.1", facts=Facts(service_type, tuple(api_types), protocol),
                children=list(children))


def containers(manifest) -> List[dict]:
    return manifest["spec"]["predictors"][0]["componentSpecs"][0]["spec"]["containers"]


def test_a_model_image_gives_the_articles_shape_for_the_v1_api():
    manifest = build_manifest(unit("my-model"), Options(name="my-model"))
    assert manifest == {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": "my-model"},
        "spec": {
            "name": "my-model", "protocol": "seldon", "transport": "rest",
            "predictors": [{
                "name": "default", "replicas": 1,
                "annotations": {"predictor_version": "0.1", "seldon.io/svc-name": "my-model"},
                "componentSpecs": [
                    {"spec": {"containers": [{"name": "my-model", "image": "my-registry/my-model:0.1"}]}}],
                "graph": {"name": "my-model", "type": "MODEL", "endpoint": {"type": "REST"}, "children": []},
            }],
        },
    }
    assert validate(manifest) == []


@pytest.mark.parametrize("service_type", [t for t in NODE_TYPE_OF_SERVICE_TYPE if NODE_TYPE_OF_SERVICE_TYPE[t]
                                          not in NEEDS_CHILDREN])
def test_every_service_type_that_stands_alone_makes_a_valid_single_node_graph(service_type):
    manifest = build_manifest(unit("unit", service_type), Options(name="unit"))
    assert manifest["spec"]["predictors"][0]["graph"]["type"] == NODE_TYPE_OF_SERVICE_TYPE[service_type]
    assert validate(manifest) == []


@pytest.mark.parametrize("service_type", NEEDS_CHILDREN)
def test_a_router_or_combiner_without_children_is_refused_in_one_line(service_type):
    with pytest.raises(BuildError, match=f"is a {service_type}: give the units it .* with --child IMAGE"):
        build_manifest(unit("unit", service_type), Options(name="unit"))


@pytest.mark.parametrize("root_type", ["TRANSFORMER", "ROUTER", "COMBINER", "OUTLIER_DETECTOR"])
def test_a_graph_with_children_puts_every_container_in_one_pod_in_graph_order(root_type):
    root = unit("root", root_type, children=[unit("first"), unit("second")])
    manifest = build_manifest(root, Options(name="graph"))
    graph = manifest["spec"]["predictors"][0]["graph"]
    assert [child["name"] for child in graph["children"]] == ["first", "second"]
    assert [c["name"] for c in containers(manifest)] == ["root", "first", "second"]
    assert validate(manifest) == []


def test_options_set_namespace_replicas_transport_protocol_annotations_and_parameters():
    root = unit("my-model", protocol="both")
    root.parameters.append({"name": "threshold", "value": "0.5", "type": "FLOAT"})
    options = Options(name="prod-model", namespace="models", predictor="main", replicas=3, transport="grpc",
                      protocol="v2", service_name="my-model-svc",
                      annotations={"seldon.io/rest-timeout": "100000", "seldon.io/grpc-max-message-size": "10000000"})
    manifest = build_manifest(root, options)
    predictor = manifest["spec"]["predictors"][0]
    assert manifest["metadata"] == {"name": "prod-model", "namespace": "models"}
    assert (manifest["spec"]["transport"], manifest["spec"]["protocol"]) == ("grpc", "v2")
    assert manifest["spec"]["annotations"] == options.annotations
    assert (predictor["name"], predictor["replicas"]) == ("main", 3)
    assert predictor["annotations"]["seldon.io/svc-name"] == "my-model-svc"
    assert predictor["graph"]["endpoint"] == {"type": "GRPC"}
    assert predictor["graph"]["parameters"] == [{"name": "threshold", "value": "0.5", "type": "FLOAT"}]
    assert validate(manifest) == []


def test_the_transport_follows_what_every_image_serves():
    assert default_transport(unit("a", children=[unit("b")])) == "rest"
    assert default_transport(unit("a", api_types=["GRPC"], children=[unit("b")])) == "grpc"
    with pytest.raises(BuildError, match="share no API type"):
        default_transport(unit("a", api_types=["GRPC"], children=[unit("b", api_types=["REST"])]))


def test_a_transport_an_image_does_not_serve_is_refused_naming_the_image():
    with pytest.raises(BuildError, match=r"my-registry/a:0.1 serves only REST \(its API_TYPE\), not GRPC"):
        build_manifest(unit("a", api_types=["REST"]), Options(name="a", transport="grpc"))


# --- spec.protocol from the images' PROTOCOL --------------------------------------------------------

@pytest.mark.parametrize("protocols, expected", [
    (["v1"], "seldon"), (["both"], "seldon"), (["v2"], "v2"),
    (["v1", "both"], "seldon"), (["v2", "both"], "v2"), (["both", "both"], "seldon"),
])
def test_the_protocol_is_the_one_every_image_serves_seldon_first(protocols, expected):
    root = unit("root", "TRANSFORMER", protocol=protocols[0],
                children=[unit(f"child-{i}", protocol=p) for i, p in enumerate(protocols[1:])])
    assert default_protocol(root) == expected
    manifest = build_manifest(root, Options(name="graph", protocol=expected))
    assert manifest["spec"]["protocol"] == expected and validate(manifest) == []


def test_images_that_share_no_protocol_are_refused_naming_both():
    root = unit("root", "TRANSFORMER", protocol="v2", children=[unit("model", protocol="v1")])
    with pytest.raises(BuildError, match=r"^the images share no protocol: my-registry/model:0.1 serves only Seldon "
                                         r"\(v1\), my-registry/root:0.1 only Open Inference \(V2\)"):
        default_protocol(root)


@pytest.mark.parametrize("image_protocol, spec_protocol, words", [
    ("v1", "v2", "serves only the Seldon (v1) protocol (its PROTOCOL=v1), not --protocol v2"),
    ("v2", "seldon", "serves only the Open Inference (V2) protocol (its PROTOCOL=v2), not --protocol seldon"),
])
def test_a_protocol_an_image_does_not_serve_is_refused_naming_the_image(image_protocol, spec_protocol, words):
    with pytest.raises(BuildError) as raised:
        build_manifest(unit("a", protocol=image_protocol), Options(name="a", protocol=spec_protocol))
    assert raised.value.message.startswith(f"my-registry/a:0.1 {words}")


@pytest.mark.parametrize("service_type", ["ROUTER", "COMBINER", "OUTLIER_DETECTOR"])
def test_a_unit_with_no_v2_meaning_is_refused_under_the_v2_protocol(service_type):
    root = unit("a", service_type, protocol="both", children=[unit("b", protocol="both")])
    with pytest.raises(BuildError, match=f"is a {service_type}, which has no Open Inference \\(V2\\) meaning"):
        build_manifest(root, Options(name="a", protocol="v2"))
    assert validate(build_manifest(root, Options(name="a", protocol="seldon"))) == []
