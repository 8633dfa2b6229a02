"""`seldon-s2i build --as-dockerfile PATH`: a Dockerfile instead of an image.

Writes PATH and, beside it, the build context upload/{src,scripts,injections}
in the shape of s2i v1.4+ (§1.12 of the builder contract), so docker, podman,
buildah or kaniko can build it. Deliberate differences from s2i:
- LABEL lines are sorted and the ENV instruction is sorted by name, so the
  output is reproducible (s2i iterates Go maps: random order, no layer cache);
- ENV and LABEL values are double-quoted with `\\`, `"` and `$` escaped, so Docker
  keeps them literally, exactly as s2i's docker path passes them;
- CMD is exec form (`CMD ["<run>"]`, like the image of the docker path) so signals
  reach the run script; s2i writes shell form here;
- --exclude and .s2iignore apply here too (s2i leaks .git into upload/src);
- injections are COPY'd and truncated after assemble: they stay readable in the
  COPY layer, which a warning says;
- a builder that declares dependency files (layers.py) gets two assemble steps:
  COPY of those files, RUN the dependencies phase, COPY of the source, RUN the
  application phase. docker's layer cache then keeps the installed dependencies
  across code changes, as the docker path's dependency layer does.
The image USER is the assemble user (default 1001), as in s2i's Dockerfile path.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from . import console, layers
from . import labels as labelmod
from .builder import LABEL_ASSEMBLE_USER, BuilderImage, image_assemble, resolve_destination, scripts_url
from .config import BuildConfig
from .engine import Engine
from .environment import EnvList, build_environment
from .errors import BuildError
from .scripts import BUILD_SCRIPTS, install_scripts
from .source import prepare_source

DEFAULT_ASSEMBLE_USER = "1001"
ARTIFACTS_TAR = "/tmp/artifacts.tar"
UPLOAD_PARTS = {"src", "scripts", "injections", "dependencies"}


@dataclass
class InjectionCopy:
    """One `-i`: what to COPY (relative to the context) and what to truncate after assemble."""

    context_path: str
    destination: str
    truncate_commands: List[str]


@dataclass
class DockerfileSpec:
    builder: str
    user: str
    destination: str
    assemble: str
    run: str
    labels: Dict[str, str] = field(default_factory=dict)
    env: EnvList = field(default_factory=list)
    copy_scripts: bool = False
    injections: List[InjectionCopy] = field(default_factory=list)
    previous_image: Optional[str] = None
    save_artifacts: Optional[str] = None
    save_artifacts_uploaded: bool = False
    dependency_files: List[str] = field(default_factory=list)  # non-empty: two assemble steps


def docker_quote(value: str) -> str:
    """A Dockerfile double-quoted word that Docker reads back literally."""
    if "\n" in value or "\r" in value:
        raise BuildError(f"a value with a line break cannot be written to a Dockerfile: {value!r}")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def _key_value_instruction(keyword: str, pairs: List[Tuple[str, str]], quote_keys: bool) -> List[str]:
    if not pairs:
        return []
    indent = " " * (len(keyword) + 1)
    rendered = [
        f"{docker_quote(key) if quote_keys else key}={docker_quote(value)}" for key, value in pairs
    ]
    lines = [f"{keyword} {rendered[0]}"] + [f"{indent}{item}" for item in rendered[1:]]
    return [line + " \\" for line in lines[:-1]] + [lines[-1]]


def render(spec: DockerfileSpec) -> str:
    """The Dockerfile text for spec (pure: golden-file tested)."""
    chown = f"--chown={spec.user}:0"
    lines: List[str] = []
    if spec.previous_image:
        lines.append(f"FROM {spec.previous_image} AS cached")
        if spec.save_artifacts_uploaded:
            lines.append(f"COPY {chown} upload/scripts/save-artifacts {spec.save_artifacts}")
        lines.append(f"USER {spec.user}")
        lines.append(
            f"RUN if [ -s {spec.save_artifacts} ]; then {spec.save_artifacts} > {ARTIFACTS_TAR}; "
            f"else touch {ARTIFACTS_TAR}; fi"
        )
    lines.append(f"FROM {spec.builder}")
    lines += _key_value_instruction("LABEL", sorted(spec.labels.items()), quote_keys=True)
    lines += _key_value_instruction("ENV", sorted(spec.env), quote_keys=False)
    if spec.previous_image:
        lines.append(f"COPY {chown} --from=cached {ARTIFACTS_TAR} {ARTIFACTS_TAR}")
    if spec.copy_scripts:
        lines.append(f"COPY {chown} upload/scripts {spec.destination}/scripts")
    source = "upload/dependencies/src" if spec.dependency_files else "upload/src"
    lines.append(f"COPY {chown} {source} {spec.destination}/src")
    for injection in spec.injections:
        lines.append(f"COPY {chown} {injection.context_path} {injection.destination}")
    lines.append(f"USER {spec.user}")
    if spec.previous_image:
        artifacts = f"{spec.destination}/artifacts"
        lines.append(
            f"RUN if [ -s {ARTIFACTS_TAR} ]; then mkdir -p {artifacts}; "
            f"tar -xf {ARTIFACTS_TAR} -C {artifacts}; fi && \\"
        )
        lines.append(f"    rm {ARTIFACTS_TAR}")
    if spec.dependency_files:
        lines.append(f"RUN SELDON_S2I_PHASE={layers.PHASE_DEPENDENCIES} {spec.assemble}")
        lines.append(f"COPY {chown} upload/src {spec.destination}/src")
        lines.append(f"RUN SELDON_S2I_PHASE={layers.PHASE_APPLICATION} {spec.assemble}")
    else:
        lines.append(f"RUN {spec.assemble}")
    truncations = [command for injection in spec.injections for command in injection.truncate_commands]
    if truncations:
        lines.append("RUN set -e; " + "; ".join(truncations))
    lines.append(f"CMD {json.dumps([spec.run])}")
    return "\n".join(lines) + "\n"


def _prepare_upload_dir(upload: Path) -> None:
    """Replace a previous run's upload/, refuse to delete anything else."""
    if upload.exists():
        if not upload.is_dir() or not set(os.listdir(upload)) <= UPLOAD_PARTS:
            raise BuildError(f"{upload} exists and is not a previous --as-dockerfile output; remove it")
        shutil.rmtree(upload)
    upload.mkdir(parents=True)


def _make_output_dir(dockerfile: Path) -> None:
    """Create the Dockerfile's directory and prove it writable, before any work; BuildError if not."""
    fix = "give --as-dockerfile a file path in a directory you can write"
    if dockerfile.is_dir():
        raise BuildError(f"--as-dockerfile {dockerfile} is a directory: {fix}, e.g. {dockerfile}/Dockerfile")
    try:
        dockerfile.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=dockerfile.parent):
            pass
    except OSError as exc:
        where = exc.filename or dockerfile.parent
        raise BuildError(f"cannot write the Dockerfile {dockerfile}: {where}: {exc.strerror or exc}; {fix}") from None


def _copy_injections(config: BuildConfig, upload: Path) -> List[InjectionCopy]:
    copies = []
    for index, injection in enumerate(config.injections):
        source = Path(injection.source)
        target = upload / "injections" / str(index)
        destination = injection.destination
        if source.is_dir():
            shutil.copytree(source, target, symlinks=False)
            files = sorted(
                p.relative_to(source).as_posix() for p in source.rglob("*") if not p.is_dir()
            )
            base = destination.rstrip("/") or "/"
            truncates = [f"truncate -s0 {shlex.quote(f'{base}/{rel}')}" for rel in files]
            copies.append(InjectionCopy(f"upload/injections/{index}", base + "/", truncates))
        else:
            target.mkdir(parents=True)
            shutil.copyfile(source, target / source.name)
            inside = shlex.quote(f"{destination.rstrip('/')}/{source.name}")
            exact = shlex.quote(destination)
            truncate = f"if [ -d {exact} ]; then truncate -s0 {inside}; else truncate -s0 {exact}; fi"
            copies.append(InjectionCopy(f"upload/injections/{index}/{source.name}", destination, [truncate]))
    if copies:
        console.warn(
            "injected files are truncated after assemble but remain readable in the COPY layer "
            "of an image built from this Dockerfile"
        )
    return copies


def _inspect_locally(engine: Optional[Engine], reference: str) -> Optional[Dict]:
    return engine.inspect_image(reference) if engine is not None else None


def write_dockerfile(config: BuildConfig, engine: Optional[Engine]) -> Path:
    """Write the Dockerfile and its context; return the Dockerfile's path.

    engine may be None (no daemon, e.g. a kaniko pipeline): the builder's labels
    are then unknown and s2i's defaults apply (scripts in --image-scripts-url,
    destination /tmp, user 1001).
    """
    dockerfile = Path(config.as_dockerfile).expanduser().resolve()
    context = dockerfile.parent
    _make_output_dir(dockerfile)
    source_root = Path(config.source).expanduser().resolve()
    if source_root.is_dir() and (context == source_root or source_root in context.parents):
        raise BuildError("the --as-dockerfile directory must not be inside the source directory")
    inspected = _inspect_locally(engine, config.builder)
    if inspected is None:
        console.warn(
            f"builder image {config.builder} is not available locally: assuming scripts in "
            f"{config.image_scripts_url}, destination /tmp, assemble user {DEFAULT_ASSEMBLE_USER}"
        )
        builder = BuilderImage(reference=config.builder)
    else:
        builder = BuilderImage.from_inspect(config.builder, inspected)
    destination = resolve_destination(config.destination, builder)
    user = config.assemble_user or builder.labels.get(LABEL_ASSEMBLE_USER) or DEFAULT_ASSEMBLE_USER
    upload = context / "upload"
    _prepare_upload_dir(upload)
    with tempfile.TemporaryDirectory(prefix="seldon-s2i-") as tmp:
        prepared = prepare_source(config, Path(tmp), upload / "src")
    env = build_environment(upload / "src", config.env, config.environment_files)
    image_url = scripts_url(builder)
    scripts = install_scripts(
        BUILD_SCRIPTS,
        scripts_url=config.scripts_url,
        src_dir=upload / "src",
        image_scripts_url=image_url or config.image_scripts_url,
        upload_scripts=upload / "scripts",
        destination=destination,
    )
    generated = labelmod.generated_labels(config, prepared.commit, prepared.location)
    labelmod.check_label_size(labelmod.merge_labels(builder.labels, generated))
    uploaded = upload / "scripts"
    spec = DockerfileSpec(
        builder=config.builder,
        user=user,
        destination=destination,
        assemble=scripts["assemble"],
        run=scripts["run"],
        labels=generated,
        env=env,
        copy_scripts=uploaded.is_dir() and any(uploaded.iterdir()),
        injections=_copy_injections(config, upload),
    )
    # docker's layer cache decides what is reused, so no key is needed here. Without the engine
    # the builder's labels are unknown and the build stays one step.
    dependency_files = layers.dependency_files(builder, scripts["assemble"], image_assemble(image_url), upload / "src")
    if dependency_files:
        layers.stage_dependency_upload(upload / "src", dependency_files, upload / "dependencies")
        spec.dependency_files = dependency_files
    if config.incremental and _inspect_locally(engine, config.tag) is not None:
        spec.previous_image = config.tag
        spec.save_artifacts = scripts.get("save-artifacts") or f"{destination}/scripts/save-artifacts"
        spec.save_artifacts_uploaded = (uploaded / "save-artifacts").is_file()
    elif config.incremental:
        console.info(f"No previous image {config.tag} found locally: the Dockerfile does a clean build")
    dockerfile.write_text(render(spec), encoding="utf-8")
    console.info(f"Wrote {dockerfile} (build context: {context})")
    return dockerfile
