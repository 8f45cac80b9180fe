from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from governance.idempotency import SCHEMA_PARAMETER, IdempotentMixin


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the `Idempotency-Key` header on every operation of a view
    that honours it (governance/idempotency.py)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if isinstance(self.view, IdempotentMixin) and self.method in self.view.idempotent_methods:
            parameters = [*parameters, SCHEMA_PARAMETER]
        return parameters


def document_idempotency_answers(result, generator, request, public):
    """Operations that take `Idempotency-Key` may answer 422 (the key was used with another
    body): say so, so clients and the schema fuzzing know it."""
    error = {
        "description": "The Idempotency-Key was used with another request body.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"detail": {"type": "string"}},
                    "required": ["detail"],
                }
            }
        },
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            names = {p.get("name") for p in operation.get("parameters", [])}
            if "Idempotency-Key" in names:
                operation.setdefault("responses", {}).setdefault("422", error)
    return result
