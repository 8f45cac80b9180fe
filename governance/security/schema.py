"""OpenAPI post-processing: document the error answers DRF really gives on every operation, so
clients (and the schema fuzzing test) know them: 400 for invalid input, 401 or 403 when not
signed in (401 where a view's first authenticator sends a challenge), 403 when not allowed, 404 for objects
outside the caller's scope or pages past the end, 415 for a body of the wrong content type,
429 past the throttle."""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {"type": "object", "additionalProperties": True}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_error_responses(result, generator, request, public):
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            has_input = bool(operation.get("parameters")) or "requestBody" in operation
            if has_input:
                responses.setdefault("400", _response("Invalid input.", VALIDATION_ERROR))
            responses.setdefault("401", _response("Not signed in (token views).", ERROR))
            responses.setdefault("403", _response("Not allowed.", ERROR))
            responses.setdefault("404", _response("Not found or not visible.", ERROR))
            if "requestBody" in operation:
                responses.setdefault("415", _response("Unsupported media type.", ERROR))
            responses.setdefault("429", _response("Too many requests.", ERROR))
    return result
