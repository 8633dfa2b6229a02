"""Generated labels, merge order, image_metadata.json and the 10 KiB limit."""

from __future__ import annotations

import pytest

from seldon_s2i.driver.config import BuildConfig
from seldon_s2i.driver.errors import BuildError
from seldon_s2i.driver.gitsource import CommitInfo
from seldon_s2i.driver.labels import (
    LABEL_SIZE_LIMIT,
    check_label_size,
    generated_labels,
    label_size,
    merge_labels,
    parse_image_metadata,
)

COMMIT = CommitInfo(author="A U <a@example.org>", date="Tue Nov 24", id="c0ffee", ref="main",
                    message="msg", location="https://git.example.org/repo.git")


def test_generated_labels_from_a_git_source():
    config = BuildConfig(source=".", builder="builder:1", tag="app:1", context_dir="sub", description="d")
    assert generated_labels(config, COMMIT, "/local") == {
        "io.k8s.display-name": "app:1",
        "io.k8s.description": "d",
        "io.openshift.s2i.build.image": "builder:1",
        "io.openshift.s2i.build.commit.author": "A U <a@example.org>",
        "io.openshift.s2i.build.commit.date": "Tue Nov 24",
        "io.openshift.s2i.build.commit.id": "c0ffee",
        "io.openshift.s2i.build.commit.ref": "main",
        "io.openshift.s2i.build.commit.message": "msg",
        "io.openshift.s2i.build.source-location": "https://git.example.org/repo.git",
        "io.openshift.s2i.build.source-context-dir": "sub",
    }


def test_empty_values_are_omitted_and_application_name_wins():
    config = BuildConfig(source=".", builder="b", tag="app:1", application_name="My App")
    labels = generated_labels(config, CommitInfo(), "/src/dir")
    assert labels == {
        "io.k8s.display-name": "My App",
        "io.openshift.s2i.build.image": "b",
        "io.openshift.s2i.build.source-location": "/src/dir",
    }


def test_flags_become_labels():
    config = BuildConfig(source=".", builder="b", tag="t", scripts_url="image:///s", destination="/opt")
    labels = generated_labels(config, CommitInfo(), "/x")
    assert labels["io.openshift.s2i.scripts-url"] == "image:///s"
    assert labels["io.openshift.s2i.destination"] == "/opt"


def test_merge_order_builder_generated_metadata():
    merged = merge_labels(
        {"io.k8s.display-name": "builder", "keep": "b"},
        {"io.k8s.display-name": "tag", "gen": "g"},
        parse_image_metadata(b'{"labels": [{"io.k8s.display-name": "meta"}, {"x": "1", "y": "2"}]}'),
    )
    assert merged == {"io.k8s.display-name": "meta", "keep": "b", "gen": "g", "x": "1", "y": "2"}


@pytest.mark.parametrize("data", [b"not json", b'{"labels": "nope"}', b"\xff"])
def test_bad_metadata_is_a_build_error(data):
    with pytest.raises(BuildError, match="image_metadata.json"):
        parse_image_metadata(data)


def test_metadata_without_labels_is_empty():
    assert parse_image_metadata(b"{}") == {}


def test_label_limit_boundary():
    at_limit = {"k": "v" * (LABEL_SIZE_LIMIT - 1)}
    assert label_size(at_limit) == LABEL_SIZE_LIMIT
    check_label_size(at_limit)
    with pytest.raises(BuildError, match="10241 bytes, more than the 10240"):
        check_label_size({"k": "v" * LABEL_SIZE_LIMIT})


def test_label_size_counts_utf8_bytes():
    assert label_size({"é": "€"}) == 2 + 3
