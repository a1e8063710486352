"""Examples made from JSON Schema, so that every body in the OpenAPI document has one.

A schema's own `examples` (declared on a model or a field with `Field(examples=[...])`) win;
otherwise a value is made from its `const`, `default`, `enum`, format or type. A module thus
gets examples for its operations without declaring any; where a made-up value would be
meaningless or invalid (a pattern, a value the service checks), the field declares one. The
contract test validates every example against its schema, so a missing one cannot go unseen.
"""

from __future__ import annotations

from typing import Any

EXAMPLE_UUID = "7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f"
EXAMPLE_TIME = "2026-01-15T09:30:00Z"
_BY_FORMAT = {
    "uuid": EXAMPLE_UUID,
    "date-time": EXAMPLE_TIME,
    "date": "2026-01-15",
    "email": "ada@example.com",
    "uri": "https://example.com/",
}
_WORD = "example"


def example_of(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """One value that `schema` accepts (`$ref`s resolved against `components`)."""
    return _example(schema, components, ())


def _example(schema: dict[str, Any], components: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            # A made-up tree would have to end somewhere the schema may not allow.
            raise ValueError(f"{name} contains itself: declare an example on the model")
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        return _example({**components[name], **siblings}, components, (*seen, name))
    for key in ("examples", "example"):
        if key in schema:
            values = schema[key]
            return values[0] if key == "examples" else values
    if "const" in schema:
        return schema["const"]
    if schema.get("default") is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            branches = [b for b in schema[combinator] if b.get("type") != "null"]
            return _example((branches or schema[combinator])[0], components, seen)
    return _of_type(schema, components, seen)


def _of_type(schema: dict[str, Any], components: dict[str, Any], seen: tuple[str, ...]) -> Any:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: _example(prop, components, seen)
            for name, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        items = _example(schema.get("items", {}), components, seen)
        return [items] * max(1, schema.get("minItems", 1))
    if kind == "string":
        if schema.get("format") in _BY_FORMAT:
            return _BY_FORMAT[schema["format"]]
        length = max(len(_WORD), schema.get("minLength", 0))
        return (_WORD * length)[: min(length, schema.get("maxLength", length))]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return {}  # any JSON value: an empty object is one
