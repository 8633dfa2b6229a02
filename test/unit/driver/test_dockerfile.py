"""--as-dockerfile: golden files (sorted labels, literal ENV) and the context."""

from __future__ import annotations

from pathlib import Path

import pytest

from seldon_s2i.driver.config import BuildConfig, Injection
from seldon_s2i.driver.dockerfile import DockerfileSpec, InjectionCopy, docker_quote, render, write_dockerfile
from seldon_s2i.driver.errors import BuildError

GOLDEN = Path(__file__).parent / "golden"


# The facts of our own builder images, as write_dockerfile reads them.
OUR_BUILDER = dict(builder="seldon-python311", user="1001", destination="/tmp",
                   assemble="/usr/libexec/s2i/assemble", run="/usr/libexec/s2i/run")


def _golden(name: str, text: str) -> None:
    assert text == (GOLDEN / name).read_text(encoding="utf-8")


def test_simple_build_golden():
    spec = DockerfileSpec(
        **OUR_BUILDER,
        labels={"io.openshift.s2i.build.image": "seldon-python311", "io.k8s.display-name": "my-model:0.1"},
        env=[("SERVICE_TYPE", "MODEL"), ("MODEL_NAME", "MyModel"), ("QUOTED", '"a b"'), ("PRICE", "$5 \\o/ #1")],
    )
    _golden("simple.Dockerfile", render(spec))


def test_incremental_with_scripts_and_injections_golden():
    spec = DockerfileSpec(
        builder="builder:1",
        user="1001",
        destination="/opt/s2i",
        assemble="/opt/s2i/scripts/assemble",
        run="/opt/s2i/scripts/run",
        labels={"z": "last", "a": "first"},
        env=[],
        copy_scripts=True,
        injections=[InjectionCopy("upload/injections/0", "/etc/secrets/", ["truncate -s0 /etc/secrets/token"])],
        previous_image="app:1",
        save_artifacts="/opt/s2i/scripts/save-artifacts",
        save_artifacts_uploaded=True,
    )
    _golden("incremental.Dockerfile", render(spec))


def test_dependency_layer_golden():
    spec = DockerfileSpec(
        **OUR_BUILDER,
        env=[("MODEL_NAME", "MyModel"), ("SERVICE_TYPE", "MODEL")],
        injections=[InjectionCopy("upload/injections/0/ca.crt", "/tmp/ca", ["truncate -s0 /tmp/ca/ca.crt"])],
        dependency_files=["requirements.txt"],
    )
    _golden("dependency-layer.Dockerfile", render(spec))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("plain", '"plain"'),
        ('"a b"', '"\\"a b\\""'),
        ("$HOME ${X}", '"\\$HOME \\${X}"'),
        ("back\\slash\\", '"back\\\\slash\\\\"'),
        ("it's # not a comment", "\"it's # not a comment\""),
        ("", '""'),
    ],
)
def test_docker_quote(value, expected):
    assert docker_quote(value) == expected


def test_line_breaks_are_refused():
    with pytest.raises(BuildError, match="line break"):
        docker_quote("a\nb")


def test_write_without_engine_uses_s2i_defaults(tree, tmp_path, capsys):
    src = tree({"m.py": "", ".git/HEAD": "", ".s2i/environment": "A=$x\n", ".s2i/bin/run": "#!/bin/sh\n"})
    secret = tree({"token": "s3cret"}, name="secret")
    out = tmp_path / "out" / "Dockerfile"
    config = BuildConfig(source=str(src), builder="b:1", tag="app:1", as_dockerfile=str(out),
                         injections=[Injection(str(secret / "token"), "/etc/ssl")])
    write_dockerfile(config, None)
    text = out.read_text()
    assert "FROM b:1\n" in text
    assert 'ENV A="\\$x"\n' in text
    assert "COPY --chown=1001:0 upload/scripts /tmp/scripts\n" in text
    assert "RUN /usr/libexec/s2i/assemble\n" in text
    assert text.endswith('CMD ["/tmp/scripts/run"]\n')
    assert "COPY --chown=1001:0 upload/injections/0/token /etc/ssl\n" in text
    assert "if [ -d /etc/ssl ]; then truncate -s0 /etc/ssl/token; else truncate -s0 /etc/ssl; fi" in text
    assert sorted(p.name for p in (out.parent / "upload" / "src").iterdir()) == [".s2i", "m.py"]
    assert not (out.parent / "upload/src/.s2i/bin/run").exists()
    err = capsys.readouterr().err
    assert "not available locally" in err and "remain readable in the COPY layer" in err
    write_dockerfile(config, None)  # a second run replaces its own upload/


def test_refuses_foreign_upload_dir_and_output_inside_source(tree, tmp_path):
    src = tree({"m.py": ""})
    out = tmp_path / "out"
    (out / "upload" / "precious").mkdir(parents=True)
    with pytest.raises(BuildError, match="not a previous --as-dockerfile output"):
        write_dockerfile(BuildConfig(source=str(src), builder="b", tag="t",
                                     as_dockerfile=str(out / "Dockerfile")), None)
    with pytest.raises(BuildError, match="must not be inside the source"):
        write_dockerfile(BuildConfig(source=str(src), builder="b", tag="t",
                                     as_dockerfile=str(src / "df" / "Dockerfile")), None)
