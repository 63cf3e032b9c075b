"""/docs and /redoc work offline: every file they load is served by remem itself, from a package."""

from __future__ import annotations

import re

from tests.server_fixture import Server

HOST = re.compile(r"https?://\S*")
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def test_docs_pages_load_nothing_from_another_host(server: Server) -> None:
    served: dict[str, bytes] = {}
    for page in ("/docs", "/redoc"):
        response = server.call("GET", page)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        html = response.text
        assert not HOST.findall(html), f"{page} names another host: {HOST.findall(html)}"
        assets = ASSET.findall(html)
        assert assets, f"{page} references no asset"
        for asset in assets:
            assert asset.startswith("/docs-assets/"), asset
            fetched = server.call("GET", asset)
            assert fetched.status_code == 200, asset
            served[asset] = fetched.content
    assert set(served) == {
        "/docs-assets/swagger-ui.css",
        "/docs-assets/swagger-ui-bundle.js",
        "/docs-assets/favicon.png",
        "/docs-assets/redoc.standalone.js",
    }
    assert len(served["/docs-assets/swagger-ui-bundle.js"]) > 500_000
    # Swagger UI 5 renders OpenAPI 3.1, the version FastAPI writes (4.x shows an error page for it).
    assert b"isOAS31" in served["/docs-assets/swagger-ui-bundle.js"]
    assert server.call("GET", "/openapi.json").json()["openapi"].startswith("3.1")
    html = server.call("GET", "/docs").text
    assert '"validatorUrl": null' in html  # no badge that sends the document to validator.swagger.io
    assert server.call("GET", "/docs-assets/nothing.js").status_code == 404
    assert "/docs-assets/{path}" not in server.call("GET", "/openapi.json").json()["paths"]
