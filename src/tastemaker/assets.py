"""Built front-end assets: the manifest, their URLs, the icon helper and the /static mount.

`frontend/build.mjs` (``npm run build``) writes content-hashed files into
``static/dist/`` together with ``manifest.json``, which maps logical names
(``app.css``, ``app.js``, ``theme.js``, ``icons.svg``, ``favicon.svg``) to the hashed
file names, and a ``.br`` and ``.gz`` sibling of each. This module reads the manifest
once, turns logical names into URLs under the app's base path, and serves ``/static``:
hashed files are cached for a year as immutable and sent pre-compressed when the
client accepts it (no compression work happens per request).

Wiring, from ``create_app``::

    manifest = mount_assets(app, settings.base_path)
    templates.env.globals["asset"] = manifest.url
    templates.env.globals["icon"] = manifest.icon
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

STATIC_DIR: Final = Path(__file__).parent / "static"
DIST_DIR: Final = STATIC_DIR / "dist"
MANIFEST_PATH: Final = DIST_DIR / "manifest.json"
STATIC_MOUNT: Final = "/static"

IMMUTABLE: Final = "public, max-age=31536000, immutable"
# Files outside dist/ have stable names, so they may change under the same URL.
REVALIDATE: Final = "public, max-age=3600, must-revalidate"

# Preferred first: brotli is ~20 % smaller than gzip on our CSS and JS.
_ENCODINGS: Final = (("br", ".br"), ("gzip", ".gz"))

# Markup.format escapes the class and href it is given.
_ICON_TEMPLATE: Final = Markup(
    '<svg class="{class_}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
    'focusable="false"><use href="{href}"></use></svg>'
)


class AssetsNotBuiltError(RuntimeError):
    """The front-end build output is missing or does not name an asset."""


@dataclass(frozen=True)
class AssetManifest:
    """Logical asset names mapped to their hashed files, and URL builders for them."""

    files: dict[str, str]
    base_path: str = ""
    _icons_url: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_path", normalise_base_path(self.base_path))
        object.__setattr__(self, "_icons_url", self.url("icons.svg"))

    @classmethod
    def load(cls, base_path: str = "", path: Path = MANIFEST_PATH) -> AssetManifest:
        """Read ``manifest.json``; fail with instructions when the build has not run."""
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AssetsNotBuiltError(
                f"Front-end assets are not built: {path} is missing. "
                "Run `make install` (or `cd frontend && npm ci && npm run build`)."
            ) from None
        data = json.loads(raw)
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise AssetsNotBuiltError(f"{path} is not a name → file mapping; rebuild the assets.")
        missing = {"app.css", "app.js", "theme.js", "icons.svg"} - data.keys()
        if missing:
            raise AssetsNotBuiltError(
                f"{path} lacks {', '.join(sorted(missing))}; run `npm run build` in frontend/."
            )
        return cls(files=dict(data), base_path=base_path)

    def url(self, name: str) -> str:
        """URL of a built asset by logical name, e.g. ``url("app.css")``."""
        try:
            hashed = self.files[name]
        except KeyError:
            known = ", ".join(sorted(self.files))
            raise AssetsNotBuiltError(
                f"No built asset named {name!r} (the manifest has: {known})."
            ) from None
        return f"{self.base_path}{STATIC_MOUNT}/dist/{hashed}"

    def icon(self, name: str, class_: str = "size-4") -> Markup:
        """An inline ``<svg>`` showing lucide icon *name* from the sprite, hidden from AT.

        Only icons the build saw (names given as string literals to icon / icon_name in templates
        and Python, plus ``frontend/icons.txt``) are in the sprite.
        """
        return _ICON_TEMPLATE.format(class_=class_, href=f"{self._icons_url}#{name}")


def normalise_base_path(base_path: str) -> str:
    """``""`` or ``"/music"``: a leading slash, no trailing slash."""
    stripped = base_path.strip().strip("/")
    return f"/{stripped}" if stripped else ""


class PrecompressedStaticFiles(StaticFiles):
    """StaticFiles that sends a file's ``.br``/``.gz`` sibling when the client accepts it.

    Files under ``dist/`` carry a content hash in their name, so they are cached as
    immutable for a year; anything else revalidates after an hour.
    """

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        request_headers = Headers(scope=scope)
        path = Path(full_path)
        hashed = path.parent.name == "dist" and path.name != "manifest.json"
        headers = {"Cache-Control": IMMUTABLE if hashed else REVALIDATE}

        accepted = _accepted_encodings(request_headers.get("accept-encoding", ""))
        serve_path, serve_stat = path, stat_result
        for encoding, suffix in _ENCODINGS:
            if encoding not in accepted:
                continue
            candidate = path.with_name(path.name + suffix)
            try:
                candidate_stat = candidate.stat()
            except OSError:
                continue
            if stat.S_ISREG(candidate_stat.st_mode):
                serve_path, serve_stat = candidate, candidate_stat
                headers["Content-Encoding"] = encoding
                break
        if path.suffix not in {".br", ".gz"}:
            headers["Vary"] = "Accept-Encoding"

        response = FileResponse(
            serve_path,
            status_code=status_code,
            stat_result=serve_stat,
            headers=headers,
            # The media type is that of the original file, not of its .br/.gz sibling.
            media_type=_media_type(path),
        )
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response


def _accepted_encodings(header: str) -> set[str]:
    accepted: set[str] = set()
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=").strip()
        if q and q.replace(".", "", 1).isdigit() and float(q) == 0:
            continue
        if token:
            accepted.add(token.strip().lower())
    return accepted


_MEDIA_TYPES: Final = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


def _media_type(path: Path) -> str | None:
    return _MEDIA_TYPES.get(path.suffix)


def mount_assets(app: FastAPI, base_path: str = "") -> AssetManifest:
    """Mount ``/static`` on *app* and return the manifest for templates.

    Routes are mounted without the base path (a proxy or ``root_path`` strips it);
    *base_path* only prefixes the URLs the manifest hands out.
    Raises `AssetsNotBuiltError` when ``npm run build`` has not run.
    """
    manifest = AssetManifest.load(base_path)
    app.mount(STATIC_MOUNT, PrecompressedStaticFiles(directory=STATIC_DIR), name="static")
    app.state.assets = manifest
    return manifest
