"""`-i SRC:DST` as s2i v1.3.8 resolves it, written down as expected values.

Observed with the real s2i (built from openshift/source-to-image v1.3.8) on our
engine: s2i tars SRC with its top entry renamed to DST's base name and unpacks it
in DST's parent (`UploadToContainerWithTarWriter`); a relative or empty DST is
joined to the builder's WORKDIR (`FixInjectionsWithRelativePath`).
"""

from __future__ import annotations

import pytest

from seldon_s2i.driver.config import Injection, parse_injection
from seldon_s2i.driver.engine_build import check_injection_target, resolve_injection_destination
from seldon_s2i.driver.errors import BuildError


@pytest.mark.parametrize(
    ("flag", "workdir", "expected"),
    [
        ("ca.crt:/tmp/ca", "/microservice", "/tmp/ca"),
        ("ca.crt", "/microservice", "/microservice"),  # no DST: the WORKDIR
        ("ca.crt:.", "/microservice", "/microservice"),
        ("ca.crt:certs/ca.crt", "/microservice", "/microservice/certs/ca.crt"),  # relative: under WORKDIR
        ("ca.crt:certs", "", "/certs"),  # no WORKDIR: /
    ],
)
def test_destination_is_resolved_against_the_workdir_like_s2i(flag, workdir, expected):
    assert resolve_injection_destination(parse_injection(flag), workdir) == expected


def test_a_file_becomes_the_destination_path():
    check_injection_target("ca.crt", False, "/tmp/ca", destination_is_dir=False)  # no error: /tmp/ca is the file


def test_a_directory_fills_an_existing_or_new_destination():
    check_injection_target("wheels", True, "/tmp/whl", destination_is_dir=False)  # created, as s2i's tar does
    check_injection_target("certs", True, "/tmp/ca", destination_is_dir=True)  # merged into it


def test_a_file_onto_an_existing_directory_fails_as_in_s2i_with_the_fix():
    # s2i: "cannot overwrite directory "/tmp/ca" with non-directory "/tmp""
    with pytest.raises(BuildError) as error:
        check_injection_target("/etc/corp/ca.crt", False, "/tmp/ca", destination_is_dir=True)
    assert str(error.value) == (
        "-i /etc/corp/ca.crt:/tmp/ca: /tmp/ca is a directory in the builder image, and a file is injected "
        "as the destination path itself (as s2i does): write -i /etc/corp/ca.crt:/tmp/ca/ca.crt"
    )


def test_injection_keeps_the_source_as_given():
    assert parse_injection("./wheels:/tmp/whl") == Injection(source="./wheels", destination="/tmp/whl")
