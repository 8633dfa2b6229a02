"""units: -p parameters, names from image references, and a unit's facts from .s2i/environment."""

from __future__ import annotations

import pytest

from seldon_s2i.deployment.units import (
    facts_from_source,
    name_of_image,
    parse_parameter,
    split_unit_argument,
    tag_of_image,
)
from seldon_s2i.driver.errors import BuildError, UsageError


@pytest.mark.parametrize("text, expected", [
    ("threshold=0.5:FLOAT", {"name": "threshold", "value": "0.5", "type": "FLOAT"}),
    ("n=-3:int", {"name": "n", "value": "-3", "type": "INT"}),
    ("url=http://models:8080/x:STRING", {"name": "url", "value": "http://models:8080/x", "type": "STRING"}),
    ("debug=True:BOOL", {"name": "debug", "value": "True", "type": "BOOL"}),
    ("empty=:STRING", {"name": "empty", "value": "", "type": "STRING"}),
])
def test_a_parameter_is_name_value_and_the_type_after_the_last_colon(text, expected):
    assert parse_parameter(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("threshold=0.5", "is not of the form -p NAME=VALUE:TYPE"),
    ("=1:INT", "is not of the form"),
    ("n=1:LONG", "has the unknown type 'LONG'"),
    ("n=1.5:INT", "'1.5' is not a valid INT value"),
    ("x=nan:DOUBLE", "'nan' is not a valid DOUBLE value"),
    ("flag=yes:BOOL", "'yes' is not a valid BOOL value"),
])
def test_a_malformed_parameter_is_a_usage_error_naming_it(text, fragment):
    with pytest.raises(UsageError) as caught:
        parse_parameter(text)
    assert fragment in caught.value.message and caught.value.exit_code == 2


@pytest.mark.parametrize("image, name, tag", [
    ("my-registry/my-model:0.1", "my-model", "0.1"),
    ("registry.example:5000/team/My_Model", "my-model", "latest"),
    ("my-model@sha256:" + "a" * 64, "my-model", "latest"),
    ("x" * 80 + ":1", "x" * 63, "1"),
])
def test_the_node_name_is_a_dns_label_made_of_the_images_last_path_component(image, name, tag):
    assert (name_of_image(image), tag_of_image(image)) == (name, tag)


def test_an_argument_is_an_image_optionally_with_its_source_directory(tmp_path):
    assert split_unit_argument("my-model:0.1") == ("my-model:0.1", None)
    assert split_unit_argument(f"my-model:0.1={tmp_path}") == ("my-model:0.1", tmp_path)
    with pytest.raises(UsageError, match="is not a valid image name: the repository name must be lowercase"):
        split_unit_argument("My-Model:0.1")
    with pytest.raises(UsageError, match="give the source directory after '='"):
        split_unit_argument("my-model:0.1=")


def test_facts_come_from_the_sources_environment_with_the_builders_api_default(source_dir):
    facts = facts_from_source(source_dir("detector", SERVICE_TYPE="OUTLIER_DETECTOR"))
    assert (facts.service_type, facts.api_types) == ("OUTLIER_DETECTOR", ("REST", "GRPC"))
    assert facts_from_source(source_dir("model", SERVICE_TYPE="MODEL", API_TYPE="GRPC")).api_types == ("GRPC",)


@pytest.mark.parametrize("env, fragment", [
    ({}, "sets no SERVICE_TYPE"),
    ({"SERVICE_TYPE": "CLASSIFIER"}, "SERVICE_TYPE=CLASSIFIER, an unknown service type: expected one of MODEL,"),
    ({"SERVICE_TYPE": "MODEL", "API_TYPE": "HTTP"}, "API_TYPE=HTTP: expected REST, GRPC or REST,GRPC"),
    ({"SERVICE_TYPE": "MODEL", "PROTOCOL": "kserve"}, "PROTOCOL=kserve, an unknown protocol: expected one of v1, v2, "
                                                      "both"),
    ({"SERVICE_TYPE": "MODEL", "PROTOCOL": '"v2"'}, 'PROTOCOL="v2", an unknown protocol'),
])
def test_a_source_without_a_known_service_type_is_refused_in_one_line(source_dir, env, fragment):
    with pytest.raises(BuildError) as caught:
        facts_from_source(source_dir("model", **env))
    assert fragment in caught.value.message and "\n" not in caught.value.message


@pytest.mark.parametrize("written, protocol, spec_protocols", [
    (None, "v1", ("seldon",)), ("v1", "v1", ("seldon",)), ("V2", "v2", ("v2",)), ("both", "both", ("seldon", "v2")),
])
def test_the_protocol_comes_from_protocol_as_the_builder_reads_it(source_dir, written, protocol, spec_protocols):
    env = {"SERVICE_TYPE": "MODEL", **({"PROTOCOL": written} if written else {})}
    facts = facts_from_source(source_dir("model", **env))
    assert (facts.protocol, facts.spec_protocols) == (protocol, spec_protocols)


def test_a_directory_without_s2i_environment_is_refused(tmp_path):
    with pytest.raises(BuildError, match=r"\.s2i/environment does not exist"):
        facts_from_source(tmp_path)
