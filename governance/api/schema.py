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
