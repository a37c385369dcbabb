"""Calling /scim/v2/ as the directory does: bearer token, application/scim+json."""

import json

from django.test import Client

TOKEN = "directory-token-7f3a9c"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
BASE = "/scim/v2"


class Directory:
    """The SCIM directory's side of the conversation."""

    def __init__(self, client: Client | None = None, token: str = TOKEN) -> None:
        self.client = client or Client()
        self.token = token

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(f"{BASE}{path}", params, **self._headers())

    def send(
        self,
        method: str,
        path: str,
        body=None,
        *,
        raw: bytes | str | None = None,
        content_type: str = "application/scim+json",
    ):
        if method == "GET":
            return self.client.get(f"{BASE}{path}", **self._headers())
        data = raw if raw is not None else json.dumps(body)
        call = getattr(self.client, method.lower())
        return call(f"{BASE}{path}", data=data, content_type=content_type, **self._headers())

    def post(self, path: str, body=None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def put(self, path: str, body=None, **kwargs):
        return self.send("PUT", path, body, **kwargs)

    def patch(self, path: str, operations: list, **kwargs):
        return self.send("PATCH", path, {"schemas": [PATCH], "Operations": operations}, **kwargs)

    def delete(self, path: str):
        return self.client.delete(f"{BASE}{path}", **self._headers())

    def create_user(self, user_name: str = "ada@example.com", **extra) -> dict:
        body = {
            "schemas": [USER],
            "userName": user_name,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [
                {
                    "value": user_name if "@" in user_name else f"{user_name}@example.com",
                    "type": "work",
                    "primary": True,
                }
            ],
            "active": True,
        } | extra
        response = self.post("/Users", body)
        assert response.status_code == 201, response.content
        return response.json()

    def create_group(self, name: str, members: list[str] = ()) -> dict:
        body = {"schemas": [GROUP], "displayName": name, "members": [{"value": m} for m in members]}
        response = self.post("/Groups", body)
        assert response.status_code == 201, response.content
        return response.json()


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["detail"]
    assert str(body["status"]) == str(status)
    if scim_type:
        assert body.get("scimType") == scim_type, body
    return body
