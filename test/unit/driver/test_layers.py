"""The dependency layer: when a build gets one, what its key covers, when it is reused."""

from __future__ import annotations

from pathlib import Path

from seldon_s2i.driver import layers
from seldon_s2i.driver.builder import BuilderImage
from seldon_s2i.driver.config import Injection
from seldon_s2i.driver.engine_build import assemble_command

IMAGE_ASSEMBLE = "/usr/libexec/s2i/assemble"
ENV = [("MODEL_NAME", "MyModel"), ("SERVICE_TYPE", "MODEL")]


def _builder(files: str = "requirements.txt", image_id: str = "sha256:builder") -> BuilderImage:
    return BuilderImage("seldon-python311", image_id=image_id, labels={layers.LABEL_DEPENDENCY_FILES: files})


def _plan(src: Path, builder: BuilderImage = None, assemble: str = IMAGE_ASSEMBLE, env=ENV, injections=()):
    return layers.plan(builder or _builder(), assemble, IMAGE_ASSEMBLE, "1001", env, src, list(injections))


def test_requirements_txt_gets_a_dependency_layer(tree):
    plan = _plan(tree({"MyModel.py": "", "requirements.txt": "Pillow\n"}))
    assert plan is not None and plan.files == ["requirements.txt"] and len(plan.key) == 64


def test_one_step_build_without_the_label_the_file_or_the_images_assemble(tree):
    src = tree({"MyModel.py": "", "requirements.txt": "Pillow\n"})
    assert _plan(src, BuilderImage("other", image_id="sha256:x")) is None  # the builder did not opt in
    assert _plan(tree({"MyModel.py": ""}, name="bare")) is None  # nothing to put in the layer
    assert _plan(src, assemble="/tmp/scripts/assemble") is None  # .s2i/bin or --scripts-url assemble
    assert layers.plan(_builder(), IMAGE_ASSEMBLE, None, "1001", ENV, src, []) is None  # no image:// URL


def test_declared_files_stay_inside_the_source():
    builder = _builder("requirements.txt ../etc/passwd /abs/file . deps/extra.txt")
    assert layers.declared_files(builder) == ["requirements.txt", "deps/extra.txt"]


def test_key_ignores_code_but_follows_requirements(tree, tmp_path):
    src = tree({"MyModel.py": "v = 1\n", "requirements.txt": "Pillow\n"})
    key = _plan(src).key
    (src / "MyModel.py").write_text("v = 2\n")
    (src / "extra.py").write_text("")
    assert _plan(src).key == key
    (src / "requirements.txt").write_text("Pillow==12.0.0\n")
    assert _plan(src).key != key


def test_key_follows_the_builder_the_env_and_the_user(tree):
    src = tree({"requirements.txt": "Pillow\n"})
    key = _plan(src).key
    assert _plan(src, _builder(image_id="sha256:rebuilt")).key != key
    assert _plan(src, env=ENV + [("PIP_INDEX_URL", "https://mirror.example/simple")]).key != key
    assert _plan(src, env=[("MODEL_NAME", "MyModel=SERVICE_TYPE"), ("", "MODEL")]).key != key  # no ambiguity
    assert layers.plan(_builder(), IMAGE_ASSEMBLE, IMAGE_ASSEMBLE, "0", ENV, src, []).key != key


def test_key_follows_injected_files_and_directories(tree, tmp_path):
    src = tree({"requirements.txt": "Pillow\n"})
    ca = tmp_path / "ca.crt"
    ca.write_text("one\n")
    secrets = tree({"token": "a", "nested/other": "b"}, name="secrets")
    key = _plan(src, injections=[Injection(str(ca), "/tmp/ca")]).key
    assert key != _plan(src).key
    ca.write_text("two\n")
    assert _plan(src, injections=[Injection(str(ca), "/tmp/ca")]).key != key
    dir_key = _plan(src, injections=[Injection(str(secrets), "/etc/secrets")]).key
    (secrets / "nested" / "other").write_text("c")
    assert _plan(src, injections=[Injection(str(secrets), "/etc/secrets")]).key != dir_key


def test_dependency_upload_holds_only_the_dependency_files(tree, tmp_path):
    src = tree({"MyModel.py": "", "requirements.txt": "Pillow\n", "deps/extra.txt": "x\n"})
    upload = tmp_path / "upload"
    layers.stage_dependency_upload(src, ["requirements.txt", "deps/extra.txt"], upload)
    found = sorted(p.relative_to(upload).as_posix() for p in upload.rglob("*"))
    assert found == ["scripts", "src", "src/deps", "src/deps/extra.txt", "src/requirements.txt"]


def test_reuse_needs_a_parent_with_the_same_key():
    previous = {"Id": "sha256:app", "Parent": "sha256:layer"}
    parent = {"Id": "sha256:layer", "Config": {"Labels": {layers.LABEL_DEPENDENCY_KEY: "k1"}}}
    assert layers.reusable_layer(previous, parent, "k1") == "sha256:layer"
    assert layers.reusable_layer(previous, parent, "k2") is None
    assert layers.reusable_layer(previous, None, "k1") is None  # built by s2i, or the layer is gone
    assert layers.reusable_layer(None, parent, "k1") is None
    assert layers.reusable_layer(previous, {"Id": "sha256:builder", "Config": {"Labels": {}}}, "k1") is None


def test_phase_is_set_for_assemble_only():
    command = assemble_command("/tmp", IMAGE_ASSEMBLE, False, layers.PHASE_DEPENDENCIES)
    assert command == ["/bin/sh", "-c", f"tar -C /tmp -xf - && SELDON_S2I_PHASE=dependencies {IMAGE_ASSEMBLE}"]
    expected = ["/bin/sh", "-c", f"tar -C /tmp -xf - && {IMAGE_ASSEMBLE}"]
    assert assemble_command("/tmp", IMAGE_ASSEMBLE, False) == expected
