"""What every refusal must look like to a client: RFC 9457 problem+json with its status, its code,
the field it is about and a detail in words a person can read."""

from __future__ import annotations

import httpx


def assert_problem(
    response: httpx.Response,
    status: int,
    *,
    code: str | None = None,
    field: str | None = None,
    says: str | None = None,
) -> dict[str, object]:
    assert response.status_code == status, (response.request.url, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status, body
    assert isinstance(body.get("detail"), str), body
    assert body["detail"], body
    if code is not None:
        assert body.get("code") == code, body
    if field is not None:
        assert field in [error["field"] for error in body.get("errors", [])], body
    if says is not None:
        assert says in body["detail"], body
    return body
