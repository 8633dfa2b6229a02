"""Destination and assemble-user resolution from flags, labels and the image."""

from __future__ import annotations

from seldon_s2i.driver.builder import BuilderImage, resolve_assemble_user, resolve_destination

INSPECT = {
    "Id": "sha256:abc",
    "Config": {
        "User": "1001",
        "Env": ["PATH=/bin", "A=x=y"],
        "Entrypoint": ["/entry"],
        "WorkingDir": "/opt/app",
        "Labels": {"io.openshift.s2i.destination": "/opt/s2i"},
    },
}


def test_from_inspect():
    builder = BuilderImage.from_inspect("ref", INSPECT)
    assert builder.image_id == "sha256:abc"
    assert builder.env == {"PATH": "/bin", "A": "x=y"}
    assert builder.entrypoint == ["/entry"]
    assert builder.user == "1001"
    assert builder.workdir == "/opt/app"


def test_from_inspect_tolerates_nulls():
    builder = BuilderImage.from_inspect("ref", {"Id": "x", "Config": {"Labels": None, "Env": None, "Entrypoint": None}})
    assert builder.labels == {} and builder.env == {} and builder.entrypoint is None and builder.user == ""


def test_destination_order():
    labelled = BuilderImage("b", labels={"io.openshift.s2i.destination": "/opt/s2i/", "io.s2i.destination": "/old"})
    deprecated = BuilderImage("b", labels={"io.s2i.destination": "/old"})
    assert resolve_destination("/flag", labelled) == "/flag"
    assert resolve_destination("", labelled) == "/opt/s2i"
    assert resolve_destination("", deprecated) == "/old"
    assert resolve_destination("", BuilderImage("b")) == "/tmp"


def test_assemble_user_order():
    builder = BuilderImage("b", user="1001", labels={"io.openshift.s2i.assemble-user": "0"})
    assert resolve_assemble_user("2000", builder) == "2000"
    assert resolve_assemble_user("", builder) == "0"
    assert resolve_assemble_user("", BuilderImage("b", user="1001")) == "1001"
    assert resolve_assemble_user("", BuilderImage("b")) == ""
