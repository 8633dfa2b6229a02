"""The image reference grammar checked before a build (distribution/reference's)."""

from __future__ import annotations

import pytest

from seldon_s2i.driver.errors import UsageError
from seldon_s2i.driver.reference import check_tag, invalid_reason


@pytest.mark.parametrize("tag", [
    "my-model:0.1", "my-model", "a__b", "a.b-c_d:V1.0-rc_1", "team/my-model:latest",
    "localhost:5000/team/my-model:0.1", "Registry.Example:5000/m:1", "m@sha256:" + "a" * 64,
])
def test_valid_references_pass_unchanged(tag):
    assert invalid_reason(tag) is None
    assert check_tag(tag) == tag


@pytest.mark.parametrize("tag, reason", [
    ("Newcomer BAD TAG", "it contains whitespace; the repository name must be lowercase"),
    ("newcomer-UPPER:1", "the repository name must be lowercase"),
    ("team/Model:1", "the repository name must be lowercase"),
    ("m:.dot", "the tag after ':' must be 1-128 letters"),
    ("m:" + "x" * 129, "the tag after ':' must be 1-128 letters"),
    ("a___b", "each part of the repository name must be lowercase letters and digits"),
    ("-lead", "each part of the repository name"),
    ("", "it is empty"),
    ("a" * 256, "longer than 255 characters"),
])
def test_invalid_references_name_what_is_wrong(tag, reason):
    assert reason in invalid_reason(tag)


def test_check_tag_raises_a_usage_error_with_a_valid_example():
    with pytest.raises(UsageError) as raised:
        check_tag("newcomer-UPPER:1")
    assert raised.value.exit_code == 2
    assert raised.value.message == (
        "TAG 'newcomer-UPPER:1' is not a valid image name: the repository name must be lowercase "
        "(e.g. my-model:0.1 or registry.example:5000/team/my-model:0.1)"
    )
