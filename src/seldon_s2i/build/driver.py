"""`build` and `usage` on the Docker engine: s2i's classic commit path.

build: resolve the builder -> prepare upload/{src,scripts} (+ the previous
image's save-artifacts tar, vetted, for --incremental) -> create
the assemble container (ENTRYPOINT overridden, stdin open) -> copy injections
in -> stream the upload tar into `tar -C <dest> -xf - && <assemble>` while
relaying its output -> commit that container with CMD [<run>], the builder's
ENTRYPOINT and USER, the build env and the merged labels.
The image is tagged only by the final commit, so a failed build tags nothing;
the container is removed on every path, Ctrl-C included.
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

from . import console, labels as labelmod
from .builder import BuilderImage, resolve_assemble_user, resolve_destination, scripts_url
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


def assemble_command(destination: str, assemble: str, with_injections: bool) -> List[str]:
    """s2i's assemble invocation (plus the injection clean-up wrapper)."""
    script = f"tar -C {shlex.quote(destination)} -xf - && {assemble}"
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


def _injection_destination(injection: Injection, workdir: str) -> str:
    destination = injection.destination
    if os.path.normpath(destination) == ".":
        return workdir or "/"
    if not destination.startswith("/"):
        return os.path.normpath(os.path.join(workdir or "/", destination))
    return os.path.normpath(destination)


def check_injection_sources(injections: List[Injection]) -> None:
    for injection in injections:
        if not os.path.exists(injection.source):
            raise BuildError(f"inject source not found: {injection.source}")


def inject_files(engine: Engine, container: str, injections: List[Injection], workdir: str, user: str) -> List[str]:
    """Copy each injection into the created container; return the injected file paths."""
    uid = _numeric_uid(user)
    injected: List[str] = []
    for injection in injections:
        source = Path(injection.source)
        destination = _injection_destination(injection, workdir)
        if source.is_dir():
            entries = []
            for directory, dirnames, filenames in os.walk(source, followlinks=True):
                dirnames.sort()
                for name in sorted(dirnames + filenames):
                    path = Path(directory) / name
                    rel = path.relative_to(source).as_posix()
                    entries.append((rel, path))
                    if not path.is_dir():
                        injected.append(f"{destination.rstrip('/')}/{rel}")
            engine.put_archive(container, destination, _tar_bytes(entries, uid))
        elif engine.is_directory(container, destination):
            engine.put_archive(container, destination, _tar_bytes([(source.name, source)], uid))
            injected.append(f"{destination.rstrip('/')}/{source.name}")
        else:
            parent, name = os.path.split(destination)
            engine.put_archive(container, parent or "/", _tar_bytes([(name, source)], uid))
            injected.append(destination)
    lines = ["set -e"] + [f"truncate -s0 {shlex.quote(path)}" for path in injected]
    lines += [f"truncate -s0 {RM_INJECTIONS}", "set +e", ""]
    script = "\n".join(lines).encode()
    engine.put_archive(container, os.path.dirname(RM_INJECTIONS), _tar_bytes([], uid, (os.path.basename(RM_INJECTIONS), script, 0o700)))
    return injected


def _restore_artifacts(
    engine: Engine,
    config: BuildConfig,
    save_artifacts: Optional[str],
    user: str,
    work_dir: Path,
) -> Tuple[Optional[str], Optional[Path]]:
    """Save the previous image's artifacts; return (previous image id or None, checked tar or None).

    The tar is vetted but not unpacked on the host: write_upload_tar copies its
    members into the upload stream as `artifacts/...`. Every failure downgrades
    to a clean build with s2i's warning.
    """
    previous = engine.inspect_image(config.tag)
    if config.incremental_pull_policy == "always" or (
        previous is None and config.incremental_pull_policy == "if-not-present"
    ):
        if engine.pull(config.tag) is None:
            previous = engine.inspect_image(config.tag)
    if previous is None:
        console.info(f"No previous image {config.tag}: performing a clean build")
        return None, None
    if not save_artifacts:
        console.info("The builder has no save-artifacts script: performing a clean build")
        return previous["Id"], None
    has_entrypoint = bool(BuilderImage.from_inspect(config.tag, previous).entrypoint)
    tar_path = work_dir / "artifacts.tar"
    container = None
    try:
        console.info(f"Saving build artifacts from {config.tag}")
        container = engine.create_container(
            previous["Id"],
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
        return previous["Id"], tar_path
    except BuildError as exc:
        console.warn(exc.message)
        console.warn(CLEAN_BUILD_WARNING)
        return previous["Id"], None  # never pass a partial restore on
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


def run_build(config: BuildConfig, engine: Engine) -> BuildResult:
    """Build config.tag from config.source with config.builder (s2i build)."""
    builder = BuilderImage.from_inspect(
        config.builder, engine.ensure_image(config.builder, config.pull_policy, "builder image")
    )
    destination = resolve_destination(config.destination, builder)
    user = resolve_assemble_user(config.assemble_user, builder)
    check_injection_sources(config.injections)
    with tempfile.TemporaryDirectory(prefix="seldon-s2i-") as tmp:
        work_dir = Path(tmp)
        upload = work_dir / "upload"
        prepared = prepare_source(config, work_dir, upload / "src")
        env = build_environment(upload / "src", config.env, config.environment_files)
        scripts = install_scripts(
            BUILD_SCRIPTS,
            scripts_url=config.scripts_url,
            src_dir=upload / "src",
            image_scripts_url=scripts_url(builder),
            upload_scripts=upload / "scripts",
            destination=destination,
        )
        (upload / "scripts").mkdir(exist_ok=True)
        previous_id, artifacts_tar = None, None
        if config.incremental:
            previous_id, artifacts_tar = _restore_artifacts(
                engine, config, scripts.get("save-artifacts"), user, work_dir
            )
        container = engine.create_container(
            builder.image_id,
            assemble_command(destination, scripts["assemble"], bool(config.injections)),
            user=user,
            environment=[f"{name}={value}" for name, value in env],
            entrypoint=[] if builder.entrypoint else None,
            network=config.network,
            stdin=True,
        )
        try:
            if config.injections:
                inject_files(engine, container, config.injections, builder.workdir, user)
            status = engine.run_with_stdin(
                container,
                lambda stream: write_upload_tar(upload, stream, artifacts_tar),
                _ignore if config.quiet else _print_stdout,
                _print_stderr,
            )
            if status != 0:
                console.info("Build failed")
                raise AssembleFailed(config.builder, status)
            labels = _output_labels(engine, container, config, builder, prepared)
            image_id = engine.commit(container, config.tag, _commit_config(builder, scripts["run"], env, labels))
        finally:
            engine.remove_container(container)
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
