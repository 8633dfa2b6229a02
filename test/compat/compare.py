"""Turning two answers into comparable values, and checking them against the allowed differences."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Tuple

import requests

from cases_rest import UNSET, RestCase

TIMEOUT = 60


def send(base_url: str, case: RestCase) -> requests.Response:
    """Send one REST case exactly as described (fresh connection: the reference closes it anyway)."""
    kwargs = {"params": case.query, "headers": dict(case.headers), "timeout": TIMEOUT}
    if case.json is not UNSET:
        kwargs["data"] = json.dumps(case.json).encode()
        kwargs["headers"]["Content-Type"] = "application/json"
    elif case.body is not None:
        kwargs["data"] = case.body
        if case.content_type:
            kwargs["headers"]["Content-Type"] = case.content_type
    elif case.form is not None:
        kwargs["data"] = case.form
    elif case.files is not None:
        kwargs["files"] = case.files
    with requests.Session() as session:
        request = requests.Request(case.method, base_url + case.path, **{k: v for k, v in kwargs.items()
                                                                          if k != "timeout"})
        prepared = session.prepare_request(request)
        if case.json is UNSET and case.body is not None and not case.content_type:
            prepared.headers.pop("Content-Type", None)
        return session.send(prepared, timeout=TIMEOUT)


COMPARED_HEADERS = ("Content-Type", "Access-Control-Allow-Origin", "Access-Control-Allow-Methods")


def parsed(response: requests.Response, drop_puid: bool) -> Tuple[int, Dict[str, str], Any]:
    """(status code, compared headers, body): JSON bodies parsed, others as text; a generated puid removed."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = response.text
    if drop_puid:
        body = without_puid(body)
    headers = {name: response.headers[name] for name in COMPARED_HEADERS if name in response.headers}
    if "Access-Control-Allow-Methods" in headers:  # a set; flask-cors' order is not part of the contract
        headers["Access-Control-Allow-Methods"] = ", ".join(sorted(headers["Access-Control-Allow-Methods"].split(", ")))
    return response.status_code, headers, without_addresses(body)


def without_addresses(body: Any) -> Any:
    """Object addresses in exception messages (`<_io.BytesIO object at 0x7f...>`) differ from run to run."""
    return json.loads(re.sub(r" at 0x[0-9a-f]+", " at 0x?", json.dumps(body))) if "0x" in json.dumps(body) else body


def without_puid(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("meta"), dict) and "puid" in body["meta"]:
        body = dict(body, meta={k: v for k, v in body["meta"].items() if k != "puid"})
    return body


def is_seldon_status(body: Any) -> bool:
    """The wrapper's error shape: {"status": {"code", "info", "reason", "status"}}."""
    return (isinstance(body, dict) and isinstance(body.get("status"), dict)
            and {"code", "info", "reason", "status"} <= set(body["status"]))
