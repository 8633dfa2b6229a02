"""`build` and `usage` on the Docker engine: s2i's classic commit path.

build: resolve the builder -> prepare upload/{src,scripts} (+ the previous
image's save-artifacts tar, vetted, for --incremental) -> create
the assemble container (ENTRYPOINT overridden, stdin open) -> copy injections
in -> stream the upload tar into `tar -C <dest> -xf - && <assemble>` while
relaying its output -> commit that container with CMD [<run>], the builder's
ENTRYPOINT and USER, the build env and the merged labels.
Builders that declare dependency files get that twice: a dependencies phase
committed as an untagged layer (reused by --incremental while its key holds),
then the application phase on top of it (see layers.py).
Every commit is untagged; the image is tagged last. Whatever fails after a commit
(the tag included) removes every image the build committed, newest first, so a
failed build leaves no image behind, tagged or not; containers are removed on
every path, Ctrl-C included.
"""

from __future__ import annotations

import io
import os
import shlex
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from . import console, layers
from . import labels as labelmod
from .builder import BuilderImage, image_assemble, resolve_assemble_user, resolve_destination, scripts_url
from .config import BuildConfig, Injection
from .engine import Engine
from .environment import EnvList, build_environment
from .errors import AssembleFailed, BuildError
from .scripts import BUILD_SCRIPTS, install_scripts
from .source import PreparedSource, prepare_source
from .tarstream import check_artifacts, write_upload_tar

RM_INJECTIONS = "/tmp/rm-injections"
CLEAN_BUILD_WARNING = "Clean build will be performed because of error saving previous build artifacts"


@dataclass
class BuildResult:
    image_id: str
    tag: str


def _print_stdout(line: str) -> None:
    print(line, flush=True)


def _print_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _ignore(_line: str) -> None:
    pass


def assemble_command(destination: str, assemble: str, with_injections: bool, phase: str = "") -> List[str]:
    """s2i's assemble invocation (plus the injection clean-up wrapper).

    A phase is set for the assemble process only, so it never reaches the image's env.
    """
    run = f"SELDON_S2I_PHASE={phase} {assemble}" if phase else assemble
    script = f"tar -C {shlex.quote(destination)} -xf - && {run}"
    if with_injections:
        script += f"; result=$?; . {RM_INJECTIONS}; exit $result"
    return ["/bin/sh", "-c", script]


def _numeric_uid(user: str) -> int:
    name = user.split(":", 1)[0]
    return int(name) if name.isdigit() else 0


def _tar_bytes(entries: List[Tuple[str, Path]], uid: int, extra: Optional[Tuple[str, bytes, int]] = None) -> bytes:
    """A tar of host paths (arcname, path), owned by uid:0; extra = (name, data, mode).

    Symlinks are followed (as s2i does): Kubernetes-mounted secrets are symlinks
    into `..data` directories, and the content is what assemble needs.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for arcname, path in entries:
            path = Path(os.path.realpath(path))
            info = archive.gettarinfo(str(path), arcname=arcname)
            info.uid, info.gid, info.uname, info.gname = uid, 0, "", ""
            if info.isreg():
                with open(path, "rb") as handle:
                    archive.addfile(info, handle)
            else:
                archive.addfile(info)
        if extra is not None:
            name, data, mode = extra
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def resolve_injection_destination(injection: Injection, workdir: str) -> str:
    """The absolute container path of `-i SRC:DST`: no DST or "." is the builder's WORKDIR, a
    relative DST is joined to it (s2i's `FixInjectionsWithRelativePath`)."""
    destination = injection.destination
    if os.path.normpath(destination) == ".":
        return workdir or "/"
    if not destination.startswith("/"):
        return os.path.normpath(os.path.join(workdir or "/", destination))
    return os.path.normpath(destination)


def _parent_must_exist(engine: Engine, container: str, destination: str) -> None:
    parent = os.path.dirname(destination.rstrip("/")) or "/"
    if not engine.is_directory(container, parent):
        raise BuildError(f"directory {parent} does not exist in the builder image")


def check_injection_target(source: str, source_is_dir: bool, destination: str, destination_is_dir: bool) -> None:
    """Where s2i puts `-i SOURCE:DESTINATION` (v1.3.8, `UploadToContainerWithTarWriter`).

    s2i tars SOURCE with its top entry renamed to DESTINATION's base name and
    unpacks it in DESTINATION's parent directory, which must exist. So a
    directory's contents land in DESTINATION (created if missing, merged if
    present), and a file *becomes* DESTINATION: a file injected onto an existing
    directory fails in s2i ("cannot overwrite directory"); here it is refused
    with the fix (BuildError).
    """
    if destination_is_dir and not source_is_dir:
        name = os.path.basename(source.rstrip("/"))
        raise BuildError(
            f"-i {source}:{destination}: {destination} is a directory in the builder image, and a file is "
            f"injected as the destination path itself (as s2i does): write -i {source}:{destination.rstrip('/')}/{name}"
        )


def inject_files(engine: Engine, container: str, injections: List[Injection], workdir: str, user: str) -> List[str]:
    """Copy each injection into the created container; return the injected file paths.

    s2i's semantics (see `check_injection_target`): the destination's parent must
    exist; a directory's contents go into the destination, created if missing;
    a file becomes the destination path. Everything, the clean-up script
    included, is sent as one archive unpacked at `/`: each archive costs the
    engine a helper process.
    """
    uid = _numeric_uid(user)
    entries: List[Tuple[str, Path]] = []
    injected: List[str] = []
    for injection in injections:
        source = Path(injection.source)
        destination = resolve_injection_destination(injection, workdir)
        _parent_must_exist(engine, container, destination)
        check_injection_target(injection.source, source.is_dir(), destination,
                               engine.is_directory(container, destination))
        target = destination
        if source.is_dir():
            for directory, dirnames, filenames in os.walk(source, followlinks=True):
                dirnames.sort()
                for name in sorted(dirnames + filenames):
                    path = Path(directory) / name
                    member = f"{target.rstrip('/')}/{path.relative_to(source).as_posix()}"
                    entries.append((member.lstrip("/"), path))
                    if not path.is_dir():
                        injected.append(member)
        else:
            entries.append((target.lstrip("/"), source))
            injected.append(target)
    lines = ["set -e"] + [f"truncate -s0 {shlex.quote(path)}" for path in injected]
    lines += [f"truncate -s0 {RM_INJECTIONS}", "set +e", ""]
    script = "\n".join(lines).encode()
    engine.put_archive(container, "/", _tar_bytes(entries, uid, (RM_INJECTIONS.lstrip("/"), script, 0o700)))
    return injected


def _previous_image(engine: Engine, config: BuildConfig) -> Optional[Dict[str, object]]:
    """The image an --incremental build builds on (pulled per --incremental-pull-policy)."""
    previous = engine.inspect_image(config.tag)
    if config.incremental_pull_policy == "always" or (
        previous is None and config.incremental_pull_policy == "if-not-present"
    ):
        if engine.pull(config.tag) is None:
            previous = engine.inspect_image(config.tag)
    if previous is None:
        console.info(f"No previous image {config.tag}: performing a clean build")
    return previous


def _save_artifacts(
    engine: Engine,
    config: BuildConfig,
    previous: Dict[str, object],
    save_artifacts: Optional[str],
    user: str,
    work_dir: Path,
) -> Optional[Path]:
    """Run save-artifacts in the previous image; return the checked tar or None.

    The tar is vetted but not unpacked on the host: write_upload_tar copies its
    members into the upload stream as `artifacts/...`. Every failure downgrades
    to a clean build with s2i's warning.
    """
    if not save_artifacts:
        console.info("The builder has no save-artifacts script: performing a clean build")
        return None
    has_entrypoint = bool(BuilderImage.from_inspect(config.tag, previous).entrypoint)
    tar_path = work_dir / "artifacts.tar"
    container = None
    try:
        console.info(f"Saving build artifacts from {config.tag}")
        container = engine.create_container(
            str(previous["Id"]),
            [save_artifacts],  # exec form: no shell, no stdin (s2i)
            user=user,
            environment=[],
            entrypoint=[] if has_entrypoint else None,
            network=config.network,
            stdin=False,
            logged=False,  # the tar goes to us only, at full speed
        )
        with open(tar_path, "wb") as handle:
            status = engine.run_capturing_stdout(container, handle, _print_stderr)
        if status != 0:
            raise BuildError(f"save-artifacts exited with status {status}")
        count = check_artifacts(tar_path)
        console.info(f"Restoring {count} artifact entries from {config.tag}")
        return tar_path
    except BuildError as exc:
        console.warn(exc.message)
        console.warn(CLEAN_BUILD_WARNING)
        return None  # never pass a partial restore on
    finally:
        if container is not None:
            engine.remove_container(container)


def _commit_config(builder: BuilderImage, run_path: str, env: EnvList, labels: Dict[str, str]) -> Dict[str, object]:
    conf: Dict[str, object] = {
        "Cmd": [run_path],
        "User": builder.user,
        "Env": [f"{name}={value}" for name, value in env],
        "Labels": labels,
    }
    if builder.entrypoint is not None:
        conf["Entrypoint"] = builder.entrypoint
    return conf


def _output_labels(
    engine: Engine, container: str, config: BuildConfig, builder: BuilderImage, prepared: PreparedSource
) -> Dict[str, str]:
    """builder labels -> generated labels -> assemble's image_metadata.json, within 10 KiB."""
    metadata = engine.read_file(container, labelmod.IMAGE_METADATA_PATH)
    merged = labelmod.merge_labels(
        builder.labels,
        labelmod.generated_labels(config, prepared.commit, prepared.location),
        labelmod.parse_image_metadata(metadata) if metadata else {},
    )
    labelmod.check_label_size(merged)
    return merged


@dataclass
class _Assemble:
    """What every assemble container of one build shares."""

    config: BuildConfig
    builder: BuilderImage
    destination: str
    assemble: str
    user: str
    env: EnvList

    def run(self, engine: Engine, image: str, phase: str, upload: Path, artifacts: Optional[Path],
            commit: Callable[[str], str]) -> str:
        """Run assemble in a container of image, fed upload (+ artifacts); return commit(container)."""
        config = self.config
        container = engine.create_container(
            image,
            assemble_command(self.destination, self.assemble, bool(config.injections), phase),
            user=self.user,
            environment=[f"{name}={value}" for name, value in self.env],
            entrypoint=[] if self.builder.entrypoint else None,
            network=config.network,
            stdin=True,
        )
        try:
            if config.injections:
                inject_files(engine, container, config.injections, self.builder.workdir, self.user)
            status = engine.run_with_stdin(
                container,
                lambda stream: write_upload_tar(upload, stream, artifacts),
                _ignore if config.quiet else _print_stdout,
                _print_stderr,
            )
            if status != 0:
                console.info("Build failed")
                raise AssembleFailed(config.builder, status)
            return commit(container)
        finally:
            engine.remove_container(container)


def _reusable_dependency_layer(engine: Engine, previous: Optional[Dict[str, object]], key: str) -> Optional[str]:
    parent_id = str(previous.get("Parent") or "") if previous else ""
    parent = engine.inspect_image(parent_id) if parent_id else None
    return layers.reusable_layer(previous, parent, key)


def _dependency_base(
    engine: Engine,
    config: BuildConfig,
    assemble: _Assemble,
    layer: layers.DependencyLayer,
    previous: Optional[Dict[str, object]],
    artifacts: Callable[[], Optional[Path]],
    upload: Path,
    work_dir: Path,
) -> Tuple[str, Optional[str]]:
    """The image the application phase runs in: (its id, its id again if this build committed it).

    The previous image's dependency layer when its key is this build's, else a new layer built
    from the dependency files alone (with the previous image's artifacts, if any).
    """
    reused = _reusable_dependency_layer(engine, previous, layer.key)
    if reused:
        console.info(f"Reusing the dependency layer of {config.tag}: "
                     f"{', '.join(layer.files)} and the build settings are unchanged")
        return reused, None
    deps_upload = work_dir / "upload-dependencies"
    layers.stage_dependency_upload(upload / "src", layer.files, deps_upload)
    console.info(f"Building the dependency layer from {', '.join(layer.files)}")
    builder = assemble.builder
    layer_labels = {**builder.labels, layers.LABEL_DEPENDENCY_KEY: layer.key}
    created = assemble.run(
        engine, builder.image_id, layers.PHASE_DEPENDENCIES, deps_upload, artifacts(),
        lambda container: engine.commit(container, {"Labels": layer_labels, "Cmd": builder.cmd},
                                        "the dependency layer"),
    )
    console.info(f"Committed the dependency layer {created[:19]}")
    return created, created


def remove_committed(engine: Engine, images: List[str]) -> None:
    """Remove the images a failed build committed (newest first: a child before its parent)."""
    for image_id in images:
        reason = engine.remove_image(image_id)
        if reason:
            console.warn(f"could not remove the image {image_id[:19]} this build committed: {reason}")


def run_build(config: BuildConfig, engine: Engine) -> BuildResult:
    """Build config.tag from config.source with config.builder (s2i build)."""
    builder = BuilderImage.from_inspect(
        config.builder, engine.ensure_image(config.builder, config.pull_policy, "builder image")
    )
    destination = resolve_destination(config.destination, builder)
    user = resolve_assemble_user(config.assemble_user, builder)
    with tempfile.TemporaryDirectory(prefix="seldon-s2i-") as tmp:
        work_dir = Path(tmp)
        upload = work_dir / "upload"
        prepared = prepare_source(config, work_dir, upload / "src")
        env = build_environment(upload / "src", config.env, config.environment_files)
        image_url = scripts_url(builder)
        scripts = install_scripts(
            BUILD_SCRIPTS,
            scripts_url=config.scripts_url,
            src_dir=upload / "src",
            image_scripts_url=image_url,
            upload_scripts=upload / "scripts",
            destination=destination,
            builder=config.builder,
        )
        (upload / "scripts").mkdir(exist_ok=True)
        assemble = _Assemble(config, builder, destination, scripts["assemble"], user, env)
        layer = layers.plan(builder, scripts["assemble"], image_assemble(image_url), user, env,
                            upload / "src", config.injections)
        previous = _previous_image(engine, config) if config.incremental else None

        def artifacts() -> Optional[Path]:
            if previous is None:
                return None
            return _save_artifacts(engine, config, previous, scripts.get("save-artifacts"), user, work_dir)

        base, created_layer, phase, app_artifacts = builder.image_id, None, "", None
        if layer is None:
            app_artifacts = artifacts()
        else:
            phase = layers.PHASE_APPLICATION
            base, created_layer = _dependency_base(
                engine, config, assemble, layer, previous, artifacts, upload, work_dir)

        def commit_application(container: str) -> str:
            labels = _output_labels(engine, container, config, builder, prepared)
            return engine.commit(container, _commit_config(builder, scripts["run"], env, labels),
                                 f"the image {config.tag}")

        committed = [created_layer] if created_layer else []
        try:
            image_id = assemble.run(engine, base, phase, upload, app_artifacts, commit_application)
            committed.insert(0, image_id)
            engine.tag(image_id, config.tag)
        except BaseException:
            remove_committed(engine, committed)
            raise
    previous_id = str(previous["Id"]) if previous else None
    if config.remove_previous and previous_id and previous_id != image_id:
        reason = engine.remove_image(previous_id)
        if reason:
            console.warn(f"could not remove the previous image {previous_id[:19]}: {reason}")
    console.info(f"Build completed successfully: {config.tag} ({image_id[:19]})")
    return BuildResult(image_id=image_id, tag=config.tag)


def run_usage(builder_reference: str, engine: Engine, pull_policy: str = "if-not-present",
              output: Callable[[str], None] = _print_stdout) -> int:
    """s2i usage: run the builder's usage script with the untar wrapper; return its status."""
    builder = BuilderImage.from_inspect(
        builder_reference, engine.ensure_image(builder_reference, pull_policy, "builder image")
    )
    destination = resolve_destination("", builder)
    user = resolve_assemble_user("", builder)
    with tempfile.TemporaryDirectory(prefix="seldon-s2i-") as tmp:
        upload = Path(tmp) / "upload"
        (upload / "src").mkdir(parents=True)
        (upload / "scripts").mkdir()
        scripts = install_scripts(
            ("usage",),
            scripts_url="",
            src_dir=upload / "src",
            image_scripts_url=scripts_url(builder),
            upload_scripts=upload / "scripts",
            destination=destination,
            required=("usage",),
            builder=builder_reference,
        )
        container = engine.create_container(
            builder.image_id,
            assemble_command(destination, scripts["usage"], False),
            user=user,
            environment=[],
            entrypoint=[] if builder.entrypoint else None,
            network="host",
            stdin=True,
        )
        try:
            return engine.run_with_stdin(
                container, lambda stream: write_upload_tar(upload, stream), output, _print_stderr
            )
        finally:
            engine.remove_container(container)
