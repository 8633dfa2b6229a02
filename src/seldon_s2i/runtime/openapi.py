"""The small OpenAPI 3 document served at /seldon.json (the reference bundles a larger one)."""

from __future__ import annotations

from typing import Any, Dict

_MESSAGE = {"$ref": "#/components/schemas/SeldonMessage"}


def _post(summary: str, request_schema: Dict[str, Any] = _MESSAGE) -> Dict[str, Any]:
    return {
        "summary": summary,
        "requestBody": {"content": {"application/json": {"schema": request_schema}}},
        "responses": {"200": {"description": "SeldonMessage",
                              "content": {"application/json": {"schema": _MESSAGE}}}},
    }


def openapi_document() -> Dict[str, Any]:
    return {
        "openapi": "3.0.0",
        "info": {"title": "Seldon Core v1 microservice (seldon-s2i)", "version": "1.0"},
        "paths": {
            "/predict": {"post": _post("Predict")},
            "/api/v1.0/predictions": {"post": _post("Predict")},
            "/transform-input": {"post": _post("Transform the input")},
            "/transform-output": {"post": _post("Transform the output")},
            "/route": {"post": _post("Choose a child route")},
            "/aggregate": {"post": _post("Combine several messages", {
                "$ref": "#/components/schemas/SeldonMessageList"})},
            "/send-feedback": {"post": _post("Send feedback", {"$ref": "#/components/schemas/Feedback"})},
            "/health/ping": {"get": {"summary": "Liveness", "responses": {"200": {"description": "pong"}}}},
            "/health/status": {"get": {"summary": "Model health",
                                       "responses": {"200": {"description": "SeldonMessage"}}}},
            "/metadata": {"get": {"summary": "Model metadata",
                                  "responses": {"200": {"description": "metadata"}}}},
        },
        "components": {"schemas": {
            "SeldonMessage": {"type": "object", "properties": {
                "data": {"type": "object", "properties": {
                    "names": {"type": "array", "items": {"type": "string"}},
                    "tensor": {"type": "object", "properties": {
                        "shape": {"type": "array", "items": {"type": "integer"}},
                        "values": {"type": "array", "items": {"type": "number"}}}},
                    "ndarray": {"type": "array", "items": {}},
                    "tftensor": {"type": "object"}}},
                "binData": {"type": "string", "format": "byte"},
                "strData": {"type": "string"},
                "jsonData": {},
                "meta": {"type": "object"},
                "status": {"type": "object"}}},
            "SeldonMessageList": {"type": "object", "properties": {
                "seldonMessages": {"type": "array", "items": _MESSAGE}}},
            "Feedback": {"type": "object", "properties": {
                "request": _MESSAGE, "response": _MESSAGE, "reward": {"type": "number"}, "truth": _MESSAGE}},
        }},
    }
