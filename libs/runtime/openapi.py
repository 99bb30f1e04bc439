"""What every service's /openapi.json says beyond what FastAPI writes by itself.

- The shared error responses (`errors.add_error_responses`).
- The rules the server checks that JSON Schema cannot state (`beyond_schema`): each operation
  lists them, with their error codes, on its 422 answer, for people in the description and for
  machines in `x-rules`. A request its schema admits is refused only for one of them
  (tests/integration/test_schemathesis.py holds every service to that).
- Links from an answer to the operations that take what it names (`link`, `links`), which
  schemathesis follows in its stateful phase.
- The long schemas of the shared value types (the plain-text pattern, ward codes) written
  once, under `components/schemas`, and referred to wherever a field uses them.

A schema or a parameter may carry the rules it brings (`x-rules` in its JSON Schema, e.g. the
`ward` query of the ward service, or the ward codes' component): every operation taking it
lists them on its 422 answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from libs.contracts.jsontypes import JsonObject
from libs.contracts.values import shared_schemas
from libs.runtime.errors import add_error_responses

Responses = dict[int | str, JsonObject]
INVALID_INPUT = "invalid input: `fields` holds each field's errors (code and message)"


def beyond_schema(*shared: Mapping[str, str], status: int = 422, **rules: str) -> Responses:
    """`responses=` of an operation that refuses (with 422, or `status`) some requests its
    schema admits, because the rule depends on today, on another field or parameter, on the
    caller's role, on stored data or on the DNS, or reads inside a file. Each keyword (and
    each key of the `shared` sets of rules) is the error code (the answer's `code`, or a
    field's under `invalid_input`) and the value what it refuses."""
    merged = {code: text for rule_set in shared for code, text in rule_set.items()} | rules
    return {status: {"description": INVALID_INPUT if status == 422 else "refused",
                     "x-rules": merged}}


def link(path: str, method: str, description: str, **parameters: str) -> JsonObject:
    """An OpenAPI link to the operation `method path`: each parameter (`name=expression`, e.g.
    `declaration_id="$response.body#/declaration_id"`) taken from the answer."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "description": description,
            "parameters": parameters}


def links(status: int, **named: JsonObject) -> Responses:
    """`responses=` entry: the links of the `status` answer, by name."""
    return {status: {"links": named}}


def responses(*parts: Responses) -> Responses:
    """Several `responses=` entries in one (the keys of one status merge)."""
    merged: Responses = {}
    for part in parts:
        for status, response in part.items():
            merged[status] = {**merged.get(status, {}), **response}
    return merged


def document_api(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> JsonObject:
        fresh = app.openapi_schema is None
        schema = generate()
        if fresh:
            standard_keywords(schema)
            parameters_without_null(schema)
            share_schemas(schema, shared_schemas())
            gather_rules(schema)
            add_error_responses(schema)
            describe_rules(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# Constraints pydantic writes under its own names when it cannot place them (a bound on an
# optional field whose type has a validator of its own).
_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum",
             "min_length": "minLength", "max_length": "maxLength", "multiple_of": "multipleOf"}


def standard_keywords(node: Any, in_properties: bool = False) -> None:
    """Rename pydantic's constraint names to JSON Schema's, in every schema of the document."""
    if isinstance(node, list):
        for item in node:
            standard_keywords(item)
    elif isinstance(node, dict):
        if not in_properties and "type" in node:
            for own, standard in _KEYWORDS.items():
                if own in node:
                    node[standard] = node.pop(own)
        for key, value in node.items():
            standard_keywords(value, in_properties=key == "properties" and not in_properties)


def parameters_without_null(schema: JsonObject) -> None:
    """An optional parameter (`x: T | None = None`) is left out, not sent as null, which no
    query string or header can carry: its schema is T's (FastAPI writes `anyOf: [T, null]`)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                given = parameter.get("schema", {})
                options = [o for o in given.get("anyOf", []) if o != {"type": "null"}]
                if "anyOf" in given and len(options) < len(given["anyOf"]):
                    rest = {k: v for k, v in given.items() if k != "anyOf"}
                    parameter["schema"] = {**options[0], **rest} if len(options) == 1 \
                        else {"anyOf": options, **rest}


def share_schemas(schema: JsonObject, shared: dict[str, JsonObject]) -> None:
    """Each schema holding every keyword of a shared one (same values) refers to it instead:
    `{"$ref": "#/components/schemas/<name>", …its other keywords}`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    used: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        for name, fragment in shared.items():
            keywords = {k: v for k, v in fragment.items() if k not in ("description", "x-rules")}
            if all(k in node and node[k] == v for k, v in keywords.items()):
                for key in keywords:
                    del node[key]
                node["$ref"] = f"#/components/schemas/{name}"
                used.add(name)
                break
        for value in node.values():
            visit(value)

    visit(schema.get("paths", {}))
    visit(components)
    for name in sorted(used):
        components[name] = shared[name]


def _rules_in(node: Any, components: JsonObject, seen: set[str]) -> dict[str, str]:
    """The `x-rules` of every schema `node` holds or refers to."""
    found: dict[str, str] = {}
    if isinstance(node, list):
        for item in node:
            found |= _rules_in(item, components, seen)
    elif isinstance(node, dict):
        rules = node.get("x-rules")
        if isinstance(rules, dict):
            found |= rules
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                found |= _rules_in(components.get(name), components, seen)
        for key, value in node.items():
            if key != "x-rules":
                found |= _rules_in(value, components, seen)
    return found


def gather_rules(schema: JsonObject) -> None:
    """The rules of the parameters and schemas an operation takes, onto its 422 answer."""
    components = schema.get("components", {}).get("schemas", {})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            taken = {k: operation.get(k) for k in ("parameters", "requestBody")}
            rules = _rules_in(taken, components, set())
            if rules:
                answer = operation.setdefault("responses", {}).setdefault("422", {})
                answer["x-rules"] = {**rules, **answer.get("x-rules", {})}


def describe_rules(schema: JsonObject) -> None:
    """An answer with `x-rules` lists them in its description."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for answer in operation.get("responses", {}).values():
                rules = answer.get("x-rules")
                if rules:
                    lines = "\n".join(f"- `{code}`: {text}" for code, text in rules.items())
                    answer["description"] = (
                        f"{answer.get('description', INVALID_INPUT).rstrip('.')}.\n\n"
                        f"Besides its schema, the server refuses (JSON Schema cannot state "
                        f"these):\n{lines}")
