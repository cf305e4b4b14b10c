"""A readable page of the API, made from the same OpenAPI document clients download."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHOD_ORDER = ("get", "post", "patch", "put", "delete")


@dataclass
class Property:
    name: str
    type: str
    required: bool
    notes: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    needs_token: bool
    parameters: list[Property] = field(default_factory=list)
    body: list[Property] = field(default_factory=list)
    body_name: str = ""
    responses: list[tuple[str, str, str]] = field(default_factory=list)


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def _ref_name(node: dict) -> str:
    return node.get("$ref", "").rsplit("/", 1)[-1]


def _type_of(spec: dict, schema: dict) -> str:
    if "$ref" in schema:
        return _ref_name(schema)
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"list of {_type_of(spec, schema.get('items', {}))}"
    if schema.get("format"):
        kind += f" ({schema['format']})"
    return kind


def _notes(schema: dict) -> str:
    notes = [schema["description"]] if schema.get("description") else []
    for key, label in (
        ("minLength", "at least {} characters"),
        ("maxLength", "at most {} characters"),
        ("minimum", "at least {}"),
        ("maximum", "at most {}"),
        ("default", "default {}"),
    ):
        if key in schema:
            notes.append(label.format(schema[key]))
    if schema.get("examples"):
        notes.append(f"for example {schema['examples'][0]!r}")
    return "; ".join(note.rstrip(".") for note in notes)


def _properties(spec: dict, schema: dict) -> list[Property]:
    schema = _resolve(spec, schema)
    required = set(schema.get("required", ()))
    return [
        Property(name, _type_of(spec, prop), name in required, _notes(prop))
        for name, prop in schema.get("properties", {}).items()
    ]


def operations(spec: dict) -> list[Operation]:
    """Each operation of the spec, in path order, flattened for a template."""
    result = []
    for path, item in spec["paths"].items():
        for method in METHOD_ORDER:
            if method not in item:
                continue
            raw = item[method]
            operation = Operation(
                method=method.upper(),
                path=path,
                summary=raw.get("summary", ""),
                description=raw.get("description", ""),
                needs_token=raw.get("security", spec.get("security", [])) != [],
            )
            for parameter in [*item.get("parameters", []), *raw.get("parameters", [])]:
                parameter = _resolve(spec, parameter)
                operation.parameters.append(
                    Property(
                        f"{parameter['name']} ({parameter['in']})",
                        _type_of(spec, parameter.get("schema", {})),
                        parameter.get("required", False),
                        _notes({**parameter.get("schema", {}), **parameter}),
                    )
                )
            body = raw.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                operation.body_name = _ref_name(body["schema"])
                operation.body = _properties(spec, body["schema"])
            for status, response in raw.get("responses", {}).items():
                response = _resolve(spec, response)
                content = response.get("content", {})
                media, shape = next(iter(content.items()), ("", {}))
                schema_name = _ref_name(shape.get("schema", {}))
                operation.responses.append(
                    (
                        status,
                        response.get("description", ""),
                        f"{schema_name} ({media})" if media else "",
                    )
                )
            # Success first, then errors by status, then the default.
            operation.responses.sort(key=lambda r: (r[0] == "default", r[0]))
            result.append(operation)
    return result


@bp.get("/docs")
def index():
    """The API reference, readable in a browser."""
    from . import api

    spec = api.spec.to_dict()
    schemas = {
        name: _properties(spec, schema) for name, schema in spec["components"]["schemas"].items()
    }
    return render_template("api/docs.html", spec=spec, operations=operations(spec), schemas=schemas)
