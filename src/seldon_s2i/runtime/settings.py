"""Command line, environment and pod annotations -> one immutable `Settings`.

Everything the reference reads (spec §1.1-§1.2) is read here once, at start-up, so request paths
never consult the environment.

Beyond the reference, the address every listener (REST, gRPC, metrics) binds: `--host` or
SELDON_S2I_HOST, default 0.0.0.0 (a container listens on all its interfaces; the reference always
binds 0.0.0.0). `seldon-s2i serve` passes 127.0.0.1 unless told otherwise. An IPv6 literal (`::1`,
`::`) binds IPv6 (`bind_address` brackets it).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, NoReturn, Optional, Tuple

PROTOCOLS = ("v1", "v2", "both")
SERVICE_TYPES = ("MODEL", "ROUTER", "TRANSFORMER", "OUTPUT_TRANSFORMER", "COMBINER", "OUTLIER_DETECTOR")
# The service types with an Open Inference (V2) infer (runtime/v2/dataplane.py's INFER_METHODS); the others
# answer it 400, so PROTOCOL=v2 alone is refused for them (assemble, serve, deployment).
V2_SERVICE_TYPES = ("MODEL", "TRANSFORMER", "OUTPUT_TRANSFORMER")
LEGACY_API_TYPES = ("REST", "GRPC")
DEFAULT_ANNOTATIONS_FILE = "/etc/podinfo/annotations"
# A dead or stuck REST worker is replaced after this many seconds (the reference: 5000 s).
DEFAULT_TIMEOUT_SECONDS = 600
# gRPC messages up to 256 MiB (the walkthrough image is a 29.5 MB tensor of doubles).
DEFAULT_GRPC_MAX_MESSAGE = 256 * 1024 * 1024
# REST bodies above this many bytes get 413.
DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024
# A REST request whose head takes longer than this many seconds, or whose body pauses as long, gets
# 408 (nginx's client_header_timeout/client_body_timeout default).
DEFAULT_CLIENT_TIMEOUT = 60
NOT_IMPLEMENTED = "NOT_IMPLEMENTED"

HTTP_PORT_ENV = "PREDICTIVE_UNIT_HTTP_SERVICE_PORT"
GRPC_PORT_ENV = "PREDICTIVE_UNIT_GRPC_SERVICE_PORT"
METRICS_PORT_ENV = "PREDICTIVE_UNIT_METRICS_SERVICE_PORT"
HOST_ENV = "SELDON_S2I_HOST"
# Open Inference (V2): what the Seldon operator injects for protocol v2 (equal to the PREDICTIVE_UNIT_*
# ports there), and MLServer's default ports when nothing sets one.
V2_HTTP_PORT_ENV = "MLSERVER_HTTP_PORT"
V2_GRPC_PORT_ENV = "MLSERVER_GRPC_PORT"
V2_DEFAULT_PORTS = (8080, 8081)
DEFAULT_HOST = "0.0.0.0"


class UsageError(Exception):
    """A start-up mistake of the user: reported as one line, non-zero exit."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def env_bool(value: Optional[str]) -> bool:
    """The reference's boolean env rule: true iff the lower-cased value is 1, true or t."""
    return value is not None and value.strip().lower() in ("1", "true", "t")


def bind_address(host: str, port: int) -> str:
    """`host:port` as gunicorn and grpcio take it: IPv6 literals in brackets (`[::1]:9000`)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_host(host: str) -> str:
    """The bind host, stripped; UsageError if empty or a malformed IPv6 literal (a name is resolved
    when bound)."""
    import ipaddress

    host = host.strip().strip("[]")
    if not host:
        raise UsageError(f"--host/{HOST_ENV} is empty: give an address such as 0.0.0.0 or 127.0.0.1")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise UsageError(f"--host/{HOST_ENV} {host!r} is not an IPv6 address (e.g. ::1 or ::)") from None
    return host


@dataclass(frozen=True)
class Ports:
    http: Optional[int]
    grpc: Optional[int]
    metrics: int

    def of(self, listener: str) -> int:
        """The port of an enabled listener ("http" or "grpc"); ValueError if it is off (a caller's bug)."""
        port: Optional[int] = getattr(self, listener)
        if port is None:
            raise ValueError(f"the {listener} listener is off")
        return port


@dataclass(frozen=True)
class Identity:
    """Who this unit is (metric labels, meta.requestPath, default metadata)."""

    unit_id: str = NOT_IMPLEMENTED
    unit_id_set: bool = False
    image: str = ""
    image_name: str = NOT_IMPLEMENTED
    image_version: str = NOT_IMPLEMENTED
    deployment: str = NOT_IMPLEMENTED
    predictor: str = NOT_IMPLEMENTED
    predictor_version: str = NOT_IMPLEMENTED


@dataclass(frozen=True)
class Settings:
    interface_name: str
    service_type: str = "MODEL"
    persistence: int = 0
    parameters: str = "[]"
    log_level: str = "INFO"
    debug: bool = False
    workers: int = 1
    threads: int = 1
    max_requests: int = 0
    max_requests_jitter: int = 0
    keepalive: int = 2
    single_threaded: bool = False
    ports: Ports = field(default_factory=lambda: Ports(9000, 5000, 6000))
    host: str = DEFAULT_HOST
    metrics_path: str = "/metrics"
    pidfile: Optional[str] = None
    access_log: bool = False
    grpc_threads: int = 1
    grpc_workers: int = 1
    timeout: int = DEFAULT_TIMEOUT_SECONDS
    grpc_max_message: int = DEFAULT_GRPC_MAX_MESSAGE
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    client_timeout: int = DEFAULT_CLIENT_TIMEOUT
    preload: bool = False
    payload_passthrough: bool = False
    include_metrics_in_response: bool = True
    executor_enabled: bool = True
    model_metadata: Optional[str] = None
    identity: Identity = field(default_factory=Identity)
    # "v1" (Seldon protocol), "v2" (Open Inference only) or "both" (V2 routes and gRPC service beside
    # v1's, on the same ports); v2_model_name is the V2 model name (MLSERVER_MODEL_NAME,
    # PREDICTIVE_UNIT_ID, else the user class's name, filled in at start-up).
    protocol: str = "v1"
    v2_model_name: Optional[str] = None


def read_annotations(path: str) -> Dict[str, str]:
    """The k8s downward-API annotations file: `key="value"` per line."""
    annotations: Dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return annotations
    for line in lines:
        key, sep, value = line.partition("=")
        if sep:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            annotations[key.strip()] = value
    return annotations


def _int(name: str, value: Optional[str], default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{name} must be an integer, got {value!r}") from None


def _positive(name: str, value: Optional[str], default: int) -> int:
    """_int, and UsageError for a value below 1 (a size limit of 0 or less would refuse every request, a
    client timeout of 0 or less answer every request 408)."""
    number = _int(name, value, default)
    if number < 1:
        raise UsageError(f"{name} must be at least 1, got {value!r}")
    return number


def _port(name: str, value: Any) -> int:
    port = _int(name, value, 0)
    if not 0 < port < 65536:
        raise UsageError(f"{name} must be a port number 1-65535, got {value!r}")
    return port


def resolve_ports(args: argparse.Namespace, env: Mapping[str, str], api_type: str, protocol: str = "v1") -> Ports:
    """The port rule shared by the s2i images and `seldon-s2i serve`.

    Explicit ports (flags or PREDICTIVE_UNIT_*_PORT) win. Otherwise API_TYPE=REST serves only REST,
    on 5000 (what the walkthrough maps); API_TYPE=GRPC only gRPC, on 5000; anything else the
    seldon-core 1.x layout REST 9000, gRPC 5000, metrics 6000. With protocol "v2", MLSERVER_HTTP_PORT
    and MLSERVER_GRPC_PORT come before PREDICTIVE_UNIT_*, and the defaults are MLServer's REST 8080,
    gRPC 8081 (API_TYPE still turns one listener off). "both" keeps v1's rule: V2 shares v1's ports.
    """
    v2 = protocol == "v2"

    def given(flag: Optional[int], option: str, *names: str) -> Tuple[Any, str]:
        """The port asked for and where (the flag, or the first variable set), or (None, "")."""
        if flag is not None:
            return flag, option
        for name in names:
            if env.get(name):
                return env[name], name
        return None, ""

    http, http_from = given(args.http_port, "--http-port", *([V2_HTTP_PORT_ENV] if v2 else []), HTTP_PORT_ENV)
    grpc, grpc_from = given(args.grpc_port, "--grpc-port", *([V2_GRPC_PORT_ENV] if v2 else []), GRPC_PORT_ENV)
    metrics, metrics_from = given(args.metrics_port, "--metrics-port", METRICS_PORT_ENV)
    api = api_type.strip().upper()
    if api == "REST":
        http_port: Optional[int] = _port(http_from, http) if http else 5000
        grpc_port: Optional[int] = _port(grpc_from, grpc) if grpc else None
    elif api == "GRPC":
        http_port = _port(http_from, http) if http else None
        grpc_port = _port(grpc_from, grpc) if grpc else 5000
    else:
        http_port = _port(http_from, http) if http else 9000
        grpc_port = _port(grpc_from, grpc) if grpc else 5000
    metrics_port = _port(metrics_from, metrics) if metrics else 6000
    if v2 and not http and http_port is not None:
        http_port = V2_DEFAULT_PORTS[0]
    if v2 and not grpc and grpc_port is not None:
        grpc_port = V2_DEFAULT_PORTS[1]
    listeners = [(name, port) for name, port in (("http", http_port), ("grpc", grpc_port), ("metrics", metrics_port))
                 if port is not None]
    for index, (name, port) in enumerate(listeners):
        for other, other_port in listeners[index + 1:]:
            if port == other_port:  # the second listener would fail to bind, after the first one started
                raise UsageError(f"the {name} and {other} ports are both {port}: give each listener its own port")
    return Ports(http_port, grpc_port, metrics_port)


def identity_from_env(env: Mapping[str, str]) -> Identity:
    import json

    image = env.get("PREDICTIVE_UNIT_IMAGE", "")
    full_image = image or f"{NOT_IMPLEMENTED}:{NOT_IMPLEMENTED}"
    image_name, _, image_version = full_image.rpartition(":")
    if not image_name:
        image_name, image_version = full_image, NOT_IMPLEMENTED
    predictor_version = NOT_IMPLEMENTED
    try:
        labels = json.loads(env.get("PREDICTOR_LABELS", "{}"))
        if isinstance(labels, dict) and labels.get("version"):
            predictor_version = str(labels["version"])
    except ValueError:
        pass
    return Identity(
        unit_id=env.get("PREDICTIVE_UNIT_ID", NOT_IMPLEMENTED),
        unit_id_set="PREDICTIVE_UNIT_ID" in env,
        image=image,
        image_name=image_name,
        image_version=image_version,
        deployment=env.get("SELDON_DEPLOYMENT_ID", NOT_IMPLEMENTED),
        predictor=env.get("PREDICTOR_ID", NOT_IMPLEMENTED),
        predictor_version=predictor_version,
    )


class _ArgumentParser(argparse.ArgumentParser):
    """argparse reporting a bad argument as a UsageError (one ERROR line) instead of its usage text."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (--help lists the options)")


def build_parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="seldon-s2i-microservice",
        description="Serve a Python model class with the Seldon Core v1 protocol (REST, gRPC, metrics).")
    parser.add_argument("interface_name", help="model class: Module (class of the same name) or pkg.mod.Class")
    parser.add_argument("api_type", nargs="?", default=None,
                        help="legacy (seldon-core <= 1.4) API type REST or GRPC; prefer env API_TYPE")
    parser.add_argument("--service-type", type=str.upper, choices=SERVICE_TYPES, default="MODEL")
    parser.add_argument("--persistence", nargs="?", default=0, const=1, type=int)
    parser.add_argument("--parameters", type=str, default=env.get("PREDICTIVE_UNIT_PARAMETERS", "[]"))
    parser.add_argument("--log-level", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"], default="INFO")
    parser.add_argument("--debug", nargs="?", type=env_bool, const=True, default=env_bool(env.get("SELDON_DEBUG")))
    parser.add_argument("--tracing", nargs="?", default=env.get("TRACING", "0"), const="1")
    parser.add_argument("--workers", type=int, default=_int("GUNICORN_WORKERS", env.get("GUNICORN_WORKERS"), 1))
    parser.add_argument("--threads", type=int, default=_int("GUNICORN_THREADS", env.get("GUNICORN_THREADS"), 1))
    parser.add_argument("--max-requests", type=int,
                        default=_int("GUNICORN_MAX_REQUESTS", env.get("GUNICORN_MAX_REQUESTS"), 0))
    parser.add_argument("--max-requests-jitter", type=int,
                        default=_int("GUNICORN_MAX_REQUESTS_JITTER", env.get("GUNICORN_MAX_REQUESTS_JITTER"), 0))
    parser.add_argument("--keepalive", type=int, default=_int("GUNICORN_KEEPALIVE", env.get("GUNICORN_KEEPALIVE"), 2))
    parser.add_argument("--single-threaded", type=int,
                        default=_int("FLASK_SINGLE_THREADED", env.get("FLASK_SINGLE_THREADED"), 0))
    parser.add_argument("--http-port", type=str, default=None)
    parser.add_argument("--grpc-port", type=str, default=None)
    parser.add_argument("--metrics-port", type=str, default=None)
    parser.add_argument("--host", type=str, default=env.get(HOST_ENV) or DEFAULT_HOST,
                        help=f"address every server binds (env {HOST_ENV}; default {DEFAULT_HOST})")
    parser.add_argument("--pidfile", type=str, default=None)
    parser.add_argument("--access-log", nargs="?", type=env_bool, const=True,
                        default=env_bool(env.get("GUNICORN_ACCESS_LOG")))
    parser.add_argument("--grpc-threads", type=int, default=_int("GRPC_THREADS", env.get("GRPC_THREADS"), 1))
    parser.add_argument("--grpc-workers", type=int, default=_int("GRPC_WORKERS", env.get("GRPC_WORKERS"), 1))
    parser.add_argument("--protocol", type=str, default=env.get("PROTOCOL") or "v1",
                        help="v1 (Seldon), v2 (Open Inference) or both (env PROTOCOL; default v1)")
    return parser


def check_protocol(value: str) -> str:
    """The protocol name (v1, v2 or both, any case), lower-cased; UsageError otherwise."""
    protocol = value.strip().lower()
    if protocol not in PROTOCOLS:
        raise UsageError(f"PROTOCOL/--protocol must be v1, v2 or both, got {value!r}")
    return protocol


def parse_settings(argv: List[str], env: Mapping[str, str]) -> Settings:
    """argv (without the program name) and the environment -> Settings; UsageError on mistakes."""
    parser = build_parser(env)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        raise UsageError(f"unknown arguments {unknown}", exit_code=255)
    api_type = env.get("API_TYPE", "")
    if args.api_type is not None:
        if args.api_type.upper() not in LEGACY_API_TYPES:
            raise UsageError(f"unknown API type {args.api_type!r}: expected REST or GRPC", exit_code=255)
        api_type = args.api_type
    log_level = env.get("SELDON_LOG_LEVEL") or args.log_level
    if log_level.upper() not in ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL"):
        raise UsageError(f"SELDON_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    annotations = read_annotations(env.get("SELDON_S2I_ANNOTATIONS_FILE", DEFAULT_ANNOTATIONS_FILE))
    timeout = DEFAULT_TIMEOUT_SECONDS
    if annotations.get("seldon.io/rest-timeout"):
        timeout = max(1, _int("seldon.io/rest-timeout", annotations["seldon.io/rest-timeout"], 0) // 1000)
    timeout = _int("GUNICORN_TIMEOUT", env.get("GUNICORN_TIMEOUT"), timeout)
    grpc_max = _int("seldon.io/grpc-max-message-size", annotations.get("seldon.io/grpc-max-message-size"),
                    DEFAULT_GRPC_MAX_MESSAGE)
    grpc_max = _positive("GRPC_MAX_MESSAGE_LENGTH", env.get("GRPC_MAX_MESSAGE_LENGTH"), grpc_max)
    protocol = check_protocol(args.protocol)
    ports = resolve_ports(args, env, api_type, protocol)
    if args.grpc_workers <= 0:
        ports = Ports(ports.http, None, ports.metrics)
    for name, value in (("workers", args.workers), ("threads", args.threads), ("grpc-threads", args.grpc_threads)):
        if value < 1:
            raise UsageError(f"--{name} must be at least 1, got {value}")
    for name, value in (("max-requests", args.max_requests), ("max-requests-jitter", args.max_requests_jitter),
                        ("keepalive", args.keepalive)):
        if value < 0:  # gunicorn refused it after start-up, in its own words, naming no setting
            raise UsageError(f"--{name} (GUNICORN_{name.upper().replace('-', '_')}) must be at least 0, got {value}")
    debug = bool(args.debug)
    return Settings(
        interface_name=args.interface_name,
        service_type=args.service_type,
        persistence=args.persistence or 0,
        parameters=args.parameters,
        log_level="WARNING" if log_level.upper() == "WARN" else log_level.upper(),
        debug=debug,
        workers=args.workers,
        threads=1 if args.single_threaded else args.threads,
        max_requests=args.max_requests,
        max_requests_jitter=args.max_requests_jitter,
        keepalive=args.keepalive,
        single_threaded=bool(args.single_threaded),
        ports=ports,
        host=check_host(args.host),
        metrics_path=env.get("PREDICTIVE_UNIT_METRICS_ENDPOINT") or "/metrics",
        pidfile=args.pidfile,
        access_log=bool(args.access_log),
        grpc_threads=args.grpc_threads,
        grpc_workers=max(0, args.grpc_workers),
        timeout=max(1, timeout),
        grpc_max_message=grpc_max,
        max_request_bytes=_positive("SELDON_S2I_MAX_REQUEST_BYTES", env.get("SELDON_S2I_MAX_REQUEST_BYTES"),
                                    DEFAULT_MAX_REQUEST_BYTES),
        client_timeout=_positive("SELDON_S2I_CLIENT_TIMEOUT", env.get("SELDON_S2I_CLIENT_TIMEOUT"),
                                 DEFAULT_CLIENT_TIMEOUT),
        preload=env_bool(env.get("SELDON_S2I_PRELOAD")) or env_bool(env.get("GUNICORN_PRELOAD")),
        payload_passthrough=env_bool(env.get("PAYLOAD_PASSTHROUGH")),
        include_metrics_in_response=env.get("INCLUDE_METRICS_IN_CLIENT_RESPONSE", "true").lower() == "true",
        executor_enabled=env.get("SELDON_EXECUTOR_ENABLED", "true").lower() != "false",
        model_metadata=env.get("MODEL_METADATA"),
        identity=identity_from_env(env),
        protocol=protocol,
        v2_model_name=env.get("MLSERVER_MODEL_NAME") or env.get("PREDICTIVE_UNIT_ID") or None,
    )
