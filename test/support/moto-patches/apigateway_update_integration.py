"""API Gateway (REST) UpdateIntegration, which moto 5 does not implement.

Follows https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegration.html
and https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html:
`PATCH /restapis/{id}/resources/{resource}/methods/{method}/integration` with
`patchOperations`; `replace` (or `add`) sets a field, `remove` clears it, for
the integration's own fields (`/credentials`, `/uri`, ...) and the entries of
`/requestParameters/…` and `/requestTemplates/…`. The answer is the
integration; a method without one is NotFoundException. Everything else of
the integration stays as moto's PutIntegration stored it.
"""
import json
from typing import Any

from moto.apigateway.exceptions import BadRequestException, NotFoundException
from moto.apigateway.responses import APIGatewayResponse

# Patch path → the attribute of moto's Integration that holds it.
_FIELDS = {
    "/credentials": "credentials",
    "/uri": "uri",
    "/httpMethod": "http_method",
    "/passthroughBehavior": "passthrough_behaviour",
    "/timeoutInMillis": "timeout_in_millis",
    "/contentHandling": "content_handling",
    "/cacheNamespace": "cache_namespace",
    "/connectionType": "connection_type",
}
# Map-valued fields whose entries a path names: /requestParameters/integration.request.header.x.
_MAPS = {"/requestParameters/": "request_parameters", "/requestTemplates/": "request_templates"}


def _apply(integration: Any, op: dict[str, Any]) -> None:
    kind, path, value = op.get("op"), op.get("path", ""), op.get("value")
    if kind not in ("replace", "add", "remove"):
        raise BadRequestException(f"Invalid patch operation specified. Must be one of: [add, remove, replace] (got {kind})")
    if path in _FIELDS:
        setattr(integration, _FIELDS[path], None if kind == "remove" else value)
        return
    for prefix, attribute in _MAPS.items():
        if path.startswith(prefix):
            # "~1" stands for "/" in a JSON-pointer segment (a content type such as application/json).
            entry = path[len(prefix):].replace("~1", "/")
            mapping = dict(getattr(integration, attribute) or {})
            if kind == "remove":
                mapping.pop(entry, None)
            else:
                mapping[entry] = value
            setattr(integration, attribute, mapping)
            return
    raise BadRequestException(f"Invalid patch path {path}")


def update_integration(self: APIGatewayResponse) -> str:
    parts = self.path.split("/")
    function_id, resource_id, method_type = parts[2], parts[4], parts[6]
    integration = self.backend.get_integration(function_id, resource_id, method_type)
    if integration is None:
        raise NotFoundException("Invalid Integration identifier specified")
    operations = self._get_param("patchOperations") or []
    for op in operations:
        _apply(integration, op)
    return json.dumps(integration.to_json())


APIGatewayResponse.update_integration = update_integration  # type: ignore[attr-defined]
