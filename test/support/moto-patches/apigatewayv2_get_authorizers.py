"""API Gateway v2 GetAuthorizers, which moto 5 does not implement (it has GetAuthorizer, singular).

Follows https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html#GetAuthorizers:
`GET /v2/apis/{apiId}/authorizers` answers `{"items": [<authorizer>, ...]}`,
each as GetAuthorizer answers it (moto's own Authorizer.to_json); an unknown
API is NotFoundException. One page: moto keeps few authorizers, so no nextToken.
"""
import json

from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.core.responses import TYPE_RESPONSE


def get_authorizers(self: ApiGatewayV2Response) -> TYPE_RESPONSE:
    api_id = self.path.split("/")[-2]
    api = self.apigatewayv2_backend.get_api(api_id)
    return 200, {}, json.dumps({"items": [a.to_json() for a in api.authorizers.values()]})


ApiGatewayV2Response.get_authorizers = get_authorizers  # type: ignore[attr-defined]
