"""Server-rendered pages: the Jinja2 environment, rendering with the shared context,
HTMX helpers and flash messages.

Flash messages ride in a small signed cookie (HMAC with the secret key) so they
survive the redirect after a form post whether or not the visitor is signed in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

PACKAGE_DIR = Path(__file__).parent
FLASH_COOKIE = "tastemaker_flash"
ANON_CSRF_COOKIE = "tastemaker_csrf"
FlashCategory = Literal["info", "success", "warning", "error"]


def template_dirs() -> list[Path]:
    """The shared templates, then each feature folder's own ``templates/``."""
    dirs = [PACKAGE_DIR / "templates"]
    dirs += sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.is_dir())
    return dirs


class Pages:
    """Renders templates with what every page needs (user, theme, CSRF, flashes…)."""

    def __init__(
        self,
        *,
        base_path: str,
        secret_key: str,
        asset_url: Callable[[str], str],
        icon: Callable[..., Markup],
    ) -> None:
        self.base_path = base_path
        self._flash_key = hashlib.sha256(b"flash:" + secret_key.encode()).digest()
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs()]),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(url=self.url, asset=asset_url, icon=icon)

    def url(self, path: str) -> str:
        return f"{self.base_path}{path}"

    # Flash messages

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._flash_key, payload, hashlib.sha256).hexdigest()[:32]

    def encode_flashes(self, flashes: list[tuple[str, str]]) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(flashes).encode())
        return f"{payload.decode()}.{self._sign(payload)}"

    def decode_flashes(self, cookie: str | None) -> list[tuple[str, str]]:
        if not cookie or "." not in cookie:
            return []
        payload, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload.encode())):
            return []
        try:
            items = json.loads(base64.urlsafe_b64decode(payload.encode()))
        except ValueError:
            return []
        return [(str(c), str(m)) for c, m in items][:10]

    def add_flash(
        self, request: Request, response: Response, category: FlashCategory, message: str
    ) -> None:
        pending = self.decode_flashes(request.cookies.get(FLASH_COOKIE))
        response.set_cookie(
            FLASH_COOKIE,
            self.encode_flashes([*pending, (category, message)]),
            path=self.base_path or "/",
            httponly=True,
            samesite="lax",
            secure=is_secure(request),
        )

    # Rendering

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        nav: str = "",
    ) -> HTMLResponse:
        principal = getattr(request.state, "principal", None)
        flashes = self.decode_flashes(request.cookies.get(FLASH_COOKIE))
        hub = getattr(request.app.state, "services", None)
        service_alerts = (
            hub.down()
            if hub is not None and principal is not None and principal.user.is_admin
            else {}
        )
        full_context = {
            "request": request,
            "current_user": principal.user if principal else None,
            "theme": getattr(request.state, "theme", "system"),
            "csrf_token": csrf_token_for(request),
            "flashes": flashes,
            "nav": nav,
            "is_htmx": is_htmx(request),
            "service_alerts": service_alerts,
            **(context or {}),
        }
        html = self.env.get_template(template).render(full_context)
        response = HTMLResponse(html, status_code=status_code)
        if flashes:
            response.delete_cookie(FLASH_COOKIE, path=self.base_path or "/")
        if principal is None or principal.session is None:
            # Signed-out forms (sign in, set-up) use a double-submit cookie for CSRF.
            response.set_cookie(
                ANON_CSRF_COOKIE,
                full_context["csrf_token"],
                path=self.base_path or "/",
                httponly=True,
                samesite="strict",
                secure=is_secure(request),
            )
        return response

    def redirect(
        self,
        request: Request,
        path: str,
        *,
        flash: tuple[FlashCategory, str] | None = None,
    ) -> Response:
        """Redirect after a form post (303), or tell HTMX to navigate."""
        location = self.url(path)
        response: Response
        if is_htmx(request) and not is_boosted(request):
            response = Response(status_code=204, headers={"HX-Redirect": location})
        else:
            response = RedirectResponse(location, status_code=303)
        if flash:
            self.add_flash(request, response, *flash)
        return response


def csrf_token_for(request: Request) -> str:
    """The token forms must echo: the session's, or the signed-out visitor's cookie."""
    principal = getattr(request.state, "principal", None)
    if principal is not None and principal.session is not None:
        return str(principal.session.csrf_token)
    token = getattr(request.state, "anon_csrf", None) or request.cookies.get(ANON_CSRF_COOKIE)
    if not token or len(token) < 32:
        from tastemaker.auth.security import new_token

        token = new_token()
    request.state.anon_csrf = token
    return str(token)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def is_boosted(request: Request) -> bool:
    return request.headers.get("HX-Boosted") == "true"


def is_secure(request: Request) -> bool:
    settings = getattr(request.app.state, "settings", None)
    return request.url.scheme == "https" or bool(settings and settings.force_secure_cookies)


def pages(request: Request) -> Pages:
    result: Pages = request.app.state.pages
    return result


def render_error_page(request: Request, status: int, title: str, detail: str) -> Response:
    page_renderer: Pages | None = getattr(request.app.state, "pages", None)
    if page_renderer is None:
        return HTMLResponse(f"<h1>{escape(title)}</h1><p>{escape(detail)}</p>", status_code=status)
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return page_renderer.render(
        request,
        template,
        {"status_code": status, "title": title, "detail": detail},
        status_code=status,
    )


def safe_next(target: str | None) -> str:
    """Only ever redirect within the app (no open redirect through ``?next=``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc or "\\" in target else target
