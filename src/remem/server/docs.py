"""/docs and /redoc served offline: Swagger UI's and ReDoc's files come from a package, not a CDN.

FastAPI's own pages load their JavaScript and CSS from a CDN, so on a machine without the internet
(the setting remem is made for) they are blank. The files here come from the `fastapi-offline`
package (in the `server` extra), which ships Swagger UI 5 and ReDoc; only its static files are used,
with FastAPI's own page builders pointed at local URLs. (`swagger-ui-bundle` on PyPI ships Swagger
UI 4.15, which renders only OpenAPI 3.0 documents, and FastAPI writes 3.1.)
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
INSTALL_HINT = ".venv/bin/pip install -e '.[server]'"


def assets_dir() -> Path:
    """The folder of Swagger UI's and ReDoc's files, installed with the server extra."""
    try:
        folder = Path(str(importlib.resources.files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            f"/docs needs the package fastapi-offline: {INSTALL_HINT}", name="fastapi_offline"
        ) from None
    return folder


def install(app: FastAPI) -> None:
    """Mount the assets and add /docs, its OAuth2 redirect and /redoc to `app` (made with docs_url=None,
    redoc_url=None), outside the OpenAPI document and needing no key."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{redirect_url}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            # Swagger UI would send the document to validator.swagger.io for its badge: off, nothing leaves.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
