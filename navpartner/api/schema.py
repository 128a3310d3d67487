"""Additions to the generated OpenAPI schema."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a readable `detail`, and per-field `errors` for bad input.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Field or query parameter → its messages (nested for nested input).",
            "additionalProperties": {},
        },
    },
    "required": ["detail"],
}
PUBLIC_PATHS = ("/api/v1/auth/token/",)


def add_error_responses(result, generator, request, public):
    """Document the errors every operation can answer, in the one shape they all have.

    400 (bad input or filter values), 401 (not signed in), 404 (unknown or not visible — also a
    page past the end of a list); the token endpoint answers 429 when throttled instead of 401.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            errors = {
                "400": "Invalid input: `errors` names each field.",
                "404": "Not found, or not visible to you.",
            }
            if path in PUBLIC_PATHS:
                errors["429"] = "Too many attempts; try again later."
            else:
                errors["401"] = "Not signed in: send `Authorization: Token <token>`."
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
