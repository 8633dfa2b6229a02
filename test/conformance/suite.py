"""The suite's data (cases, models, recorded answers, wrapper profiles) and the one way a case is sent and judged.

A REST answer is `{"status": int, "headers": {...}, "body": JSON or text}`, a gRPC answer
`{"code": "OK" | status code name, "details": str, "body": JSON or null}`; both normalised by `normalise`
(a generated puid removed, object addresses blanked) exactly like the recorded ones.
"""

from __future__ import annotations

import base64
import dataclasses
import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COMPAT_DOC = "docs/compatibility.md"
APIS = ("rest", "grpc")
TIMEOUT = 60
COMPARED_HEADERS = ("Content-Type", "Access-Control-Allow-Origin", "Access-Control-Allow-Methods")


def load_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json_lines(path: Path, items: Dict[str, Any]) -> None:
    """A JSON object with one `"id": value` entry per line (diff-friendly, still plain JSON)."""
    lines = [f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}"
             for key, value in items.items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


@dataclass(frozen=True)
class Model:
    """One entry of models.json: how a wrapper must be started for the cases that name it."""

    name: str
    model_name: str  # MODEL_NAME: the class (Python, Java), the file (NodeJS, R)
    service_type: str
    directory: str  # under models/<language>/
    env: Dict[str, str] = field(default_factory=dict)
    # The reference rejects OUTPUT_TRANSFORMER (spec §1.1, §9 quirk 7) and serves every route whatever the type
    # (§2.1), so record.py starts it as this type where set.
    reference_service_type: str = ""

    def path(self, language: str) -> Path:
        return HERE / "models" / language / self.directory


def models() -> Dict[str, Model]:
    return {entry["name"]: Model(**entry) for entry in load_json(HERE / "models.json")}


@dataclass(frozen=True)
class Case:
    """One request and where it goes; `deviation` is set where our wrapper documents a different answer."""

    api: str  # "rest" | "grpc"
    spec: Dict[str, Any]

    @property
    def id(self) -> str:
        return self.spec["id"]

    @property
    def model(self) -> str:
        return self.spec["model"]

    @property
    def deviation(self) -> Optional[Dict[str, Any]]:
        return self.spec.get("deviation")

    def request_has_puid(self) -> bool:
        """A puid the client sent is echoed and compared; a generated one is dropped."""
        request = {k: v for k, v in self.spec.items() if k != "deviation"}
        return "puid" in json.dumps(request)


def digest(case: Case, model: Model) -> str:
    """What a recorded answer depends on: the case's request and its model's entry (not the deviation).

    Recorded next to the answer; a case or model edited without re-recording is caught by the runner."""
    request = {k: v for k, v in case.spec.items() if k != "deviation"}
    text = json.dumps([request, dataclasses.asdict(model)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cases(api: Optional[str] = None) -> List[Case]:
    """Every case of cases/<api>.json (both APIs when `api` is None), in file order."""
    return [Case(name, spec) for name in (APIS if api is None else (api,))
            for spec in load_json(HERE / "cases" / f"{name}.json")]


def expected(api: str) -> Dict[str, Any]:
    """The reference's recorded answers of one API: case id -> {"digest": digest(...), "answer": answer}
    (empty if never recorded)."""
    path = HERE / "expected" / f"{api}.json"
    return load_json(path) if path.exists() else {}


@dataclass(frozen=True)
class Profile:
    """wrappers/<name>.json: how a wrapper starts and which cases it declares unsupported (id or glob -> reason)."""

    name: str
    language: str
    command: str = ""  # the start command template (wrapper.py lists the placeholders)
    stop_command: str = ""  # run before the process group is signalled (e.g. `docker rm -f NAME`)
    image: str = ""  # default {image} (pytest --wrapper-image overrides)
    unsupported: Dict[str, str] = field(default_factory=dict)
    error_text: str = "exact"  # "exact": error messages compared too; "code": only status codes and body shape
    # "typed": 1 and 1.0 differ; "json": every number compares as a double, for a language with one number
    # type (JavaScript writes the double 1.0 as `1`); true and 1 still differ. "protobuf": a wrapper whose models
    # see protobuf messages (Java) cannot tell 1 from 1.0 in google.protobuf.Value/double fields, so REST bodies
    # are compared through as_protobuf_json.
    numbers: str = "typed"

    def comparable(self, value: Any) -> Any:
        """`value` as this profile compares it (see `numbers`)."""
        return _doubles(value) if self.numbers == "json" else value

    def unsupported_reason(self, case_id: str) -> Optional[str]:
        for pattern, reason in self.unsupported.items():
            if fnmatch.fnmatchcase(case_id, pattern):
                return reason
        return None


def profile(name_or_path: str) -> Profile:
    path = Path(name_or_path)
    if not path.suffix:
        path = HERE / "wrappers" / f"{name_or_path}.json"
    data = load_json(path)
    data.pop("description", None)
    return Profile(name=path.stem, **data)


# --- sending ----------------------------------------------------------------------------------------------------

def _bytes(part: Dict[str, str]) -> bytes:
    return part["text"].encode() if "text" in part else base64.b64decode(part["base64"])


def send_rest(base_url: str, spec: Dict[str, Any]) -> requests.Response:
    """Send one REST case exactly as described: `json`, raw `body` (+ `content_type`, none if absent), `form`,
    multipart `files`, `query`, `headers` (fresh connection: the reference closes it anyway)."""
    headers = dict(spec.get("headers", {}))
    kwargs: Dict[str, Any] = {"params": spec.get("query"), "headers": headers}
    if "json" in spec:
        kwargs["data"] = json.dumps(spec["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif "body" in spec:
        kwargs["data"] = _bytes(spec["body"])
        if spec.get("content_type"):
            headers["Content-Type"] = spec["content_type"]
    elif "form" in spec:
        kwargs["data"] = spec["form"]
    elif "files" in spec:
        kwargs["files"] = {name: (part.get("filename"), _bytes(part)) for name, part in spec["files"].items()}
    with requests.Session() as session:
        prepared = session.prepare_request(requests.Request(spec["method"], base_url + spec["path"], **kwargs))
        if "body" in spec and not spec.get("content_type"):
            prepared.headers.pop("Content-Type", None)
        return session.send(prepared, timeout=TIMEOUT)


def rest_answer(response: requests.Response) -> Dict[str, Any]:
    """Status, compared headers (the CORS method set sorted) and body (JSON parsed, else text)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = response.text
    headers = {name: response.headers[name] for name in COMPARED_HEADERS if name in response.headers}
    if "Access-Control-Allow-Methods" in headers:  # a set; the order is not part of the contract
        headers["Access-Control-Allow-Methods"] = ", ".join(sorted(headers["Access-Control-Allow-Methods"].split(", ")))
    return {"status": response.status_code, "headers": headers, "body": body}


def grpc_answer(client, spec: Dict[str, Any]) -> Dict[str, Any]:
    code, details, body = client.call(spec["service"], spec["rpc"], spec.get("request"))
    return {"code": code, "details": details, "body": body}


def answer(case: Case, base_url: str, grpc_client) -> Dict[str, Any]:
    """Send `case` to a running wrapper and return its normalised answer."""
    raw = rest_answer(send_rest(base_url, case.spec)) if case.api == "rest" else grpc_answer(grpc_client, case.spec)
    return normalise(raw, keep_puid=case.request_has_puid())


# --- judging ----------------------------------------------------------------------------------------------------

def normalise(answer_: Dict[str, Any], keep_puid: bool) -> Dict[str, Any]:
    """Remove what varies from run to run: a generated meta.puid, object addresses (`at 0x7f...`) in messages."""
    body = answer_["body"]
    if not keep_puid and isinstance(body, dict) and isinstance(body.get("meta"), dict) and "puid" in body["meta"]:
        body = dict(body, meta={k: v for k, v in body["meta"].items() if k != "puid"})
    text = json.dumps(body)
    if " at 0x" in text:
        body = json.loads(re.sub(r" at 0x[0-9a-f]+", " at 0x?", text))
    out = dict(answer_, body=body)
    if "details" in out:
        out["details"] = re.sub(r" at 0x[0-9a-f]+", " at 0x?", out["details"])
    return out


def is_seldon_status(body: Any) -> bool:
    """The wrapper's error shape: {"status": {"code", "info", "reason", "status"}}."""
    return (isinstance(body, dict) and isinstance(body.get("status"), dict)
            and {"code", "info", "reason", "status"} <= set(body["status"]))


def without_error_text(answer_: Dict[str, Any]) -> Dict[str, Any]:
    """For wrappers whose profile says error_text=code: an error keeps its codes and shape, not its messages."""
    out = dict(answer_)
    if out.get("code", "OK") != "OK":
        out["details"] = "?"
    if out.get("status", 200) >= 400 and is_seldon_status(out["body"]):
        status = out["body"]["status"]
        out["body"] = {"status": {"code": status["code"], "status": status["status"], "info": "?", "reason": "?"}}
    return out


def typed(value: Any) -> str:
    """A comparable form that tells `true` from `1` from `1.0` (Python's == does not) and NaN from nothing
    (NaN != NaN in Python): canonical JSON text, keys sorted."""
    return json.dumps(value, sort_keys=True)


def same(a: Any, b: Any) -> bool:
    """Type-strict equality of two answers or bodies (see typed)."""
    return typed(a) == typed(b)


def _doubles(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, list, dict)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_doubles(item) for item in value]
    return {key: _doubles(item) for key, item in value.items()}


def as_protobuf_json(body: Any) -> Any:
    """A REST body as it reads after a trip through the SeldonMessage proto: numbers in the fields typed
    `google.protobuf.Value`/`Struct` or `repeated double` (jsonData, data.ndarray, data.tensor.values,
    meta.tags) become doubles (an int 1 arrives as 1.0); empty `names` is left out (protobuf's JSON omits an
    empty repeated field); bools, strings, shapes and the rest are unchanged."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    if "jsonData" in out:
        out["jsonData"] = _doubles(out["jsonData"])
    if isinstance(out.get("data"), dict):
        data = out["data"] = {key: value for key, value in out["data"].items() if (key, value) != ("names", [])}
        if "ndarray" in data:
            data["ndarray"] = _doubles(data["ndarray"])
        if isinstance(data.get("tensor"), dict) and "values" in data["tensor"]:
            data["tensor"] = dict(data["tensor"], values=_doubles(data["tensor"]["values"]))
    if isinstance(out.get("meta"), dict) and "tags" in out["meta"]:
        out["meta"] = dict(out["meta"], tags=_doubles(out["meta"]["tags"]))
    return out


def outcome_of(answer_: Dict[str, Any]) -> Any:
    """The documented part of a deviating answer: the REST status or the gRPC code."""
    return answer_["status"] if "status" in answer_ else answer_["code"]


def documented_outcome(deviation: Dict[str, Any]) -> Any:
    return deviation["status"] if "status" in deviation else deviation["grpc_code"]


def doc_sections() -> List[str]:
    """The `## ` headings of docs/compatibility.md (a deviation's pointer must name one)."""
    return [line[3:].strip() for line in (ROOT / COMPAT_DOC).read_text().splitlines() if line.startswith("## ")]


def doc_section_text(heading_start: str) -> str:
    """The text of the docs/compatibility.md section whose `## ` heading starts with `heading_start` ("" if none)."""
    parts = re.split(r"^## ", (ROOT / COMPAT_DOC).read_text(), flags=re.M)
    return next((part for part in parts[1:] if part.startswith(heading_start)), "")
