"""Security headers on every kind of response, and no third-party assets anywhere."""

from __future__ import annotations

import re

import httpx

HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


def assert_secure_headers(response: httpx.Response) -> None:
    for name in HEADERS:
        assert name in response.headers, f"{name} missing on {response.request.url}"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_pages_api_errors_and_assets_carry_security_headers(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    page = await client.get("/settings/profile")
    api = await client.get("/api/auth/me")
    error = await client.get("/api/nothing-here")
    css = re.search(r'href="(/static/dist/app-[^"]+\.css)"', page.text)
    assert css
    asset = await client.get(css.group(1))

    for response in (page, api, error, asset):
        assert_secure_headers(response)
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )


async def test_pages_have_no_inline_scripts(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    for path in ("/", "/settings/profile", "/settings/users", "/settings/services", "/login"):
        html = (await client.get(path)).text
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert inline == [], f"inline script on {path}"
        assert not re.search(r"<[^>]+\son[a-z]+=", html), f"inline event handler on {path}"


async def test_the_api_docs_use_no_cdn(client: httpx.AsyncClient) -> None:
    docs = await client.get("/api/docs")

    assert docs.status_code == 200
    assert not re.search(r'(src|href)="https?://', docs.text)
    assert_secure_headers(docs)


async def test_the_openapi_document_describes_errors_as_problems(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()

    assert "Problem" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            default = operation["responses"]["default"]
            assert "application/problem+json" in default["content"], f"{method} {path}"
            for status, response in operation["responses"].items():
                if status != "default" and int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        f"{method} {path} {status}"
                    )
