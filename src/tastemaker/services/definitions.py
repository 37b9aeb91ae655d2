"""What each service connection is made of: its fields, which are secret, and
which environment variable (a ``Settings`` attribute) can lock each one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ServiceKey = Literal["navidrome", "lidarr", "ollama", "listenbrainz", "lastfm"]
FieldKind = Literal["url", "text", "password", "select", "number"]


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    kind: FieldKind = "text"
    setting: str | None = None  # the Settings attribute (env var) that locks it
    help: str = ""
    choices: tuple[str, ...] = ()  # fixed choices; Lidarr's lists come live from Lidarr
    default: str = ""

    @property
    def secret(self) -> bool:
        return self.kind == "password"


@dataclass(frozen=True)
class ServiceDef:
    key: ServiceKey
    title: str
    purpose: str
    fields: tuple[FieldDef, ...]
    # Listening sources are optional extras: they are only checked (health, banner,
    # dashboard) once an admin set them up, i.e. gave every ``required`` field.
    optional: bool = False
    required: tuple[str, ...] = ("url",)

    def field(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)


SERVICES: dict[ServiceKey, ServiceDef] = {
    "navidrome": ServiceDef(
        key="navidrome",
        title="Navidrome",
        purpose="Your music server: browsing, playing, stars, ratings and play counts.",
        fields=(
            FieldDef("url", "Server address", "url", "navidrome_url", "e.g. http://navidrome:4533"),
            FieldDef("username", "User name", "text", "navidrome_user"),
            FieldDef("password", "Password", "password", "navidrome_password"),
            FieldDef(
                "auth",
                "Authentication",
                "select",
                "navidrome_auth",
                "Token (salted MD5) for Navidrome; password for servers without token auth.",
                choices=("auto", "token", "password"),
                default="auto",
            ),
        ),
    ),
    "lidarr": ServiceDef(
        key="lidarr",
        title="Lidarr",
        purpose="Finds and downloads what you request.",
        fields=(
            FieldDef("url", "Server address", "url", "lidarr_url", "e.g. http://lidarr:8686"),
            FieldDef(
                "api_key", "API key", "password", "lidarr_api_key", "Lidarr → Settings → General."
            ),
            FieldDef("root_folder", "Root folder", "select", help="Where new artists go."),
            FieldDef("quality_profile_id", "Quality profile", "select"),
            FieldDef("metadata_profile_id", "Metadata profile", "select"),
            FieldDef(
                "monitor",
                "Monitor for artist requests",
                "select",
                help="What Lidarr monitors when a whole artist is requested.",
                choices=("all", "future", "missing", "existing", "latest", "first", "none"),
                default="all",
            ),
        ),
    ),
    "ollama": ServiceDef(
        key="ollama",
        title="Ollama",
        purpose="The local language model that writes your recommendations.",
        fields=(
            FieldDef("url", "Server address", "url", "ollama_url", "e.g. http://ollama:11434"),
            FieldDef(
                "model",
                "Model",
                "select",
                "ollama_model",
                "One of the models pulled on the server.",
            ),
            FieldDef(
                "temperature",
                "Temperature",
                "number",
                help="0 is focused, 1.5 adventurous.",
                default="0.7",
            ),
        ),
    ),
    "listenbrainz": ServiceDef(
        key="listenbrainz",
        title="ListenBrainz",
        purpose=(
            "Optional listening source: people add their ListenBrainz name on their profile, "
            "and its top artists and similar artists feed their recommendations."
        ),
        fields=(
            FieldDef(
                "url",
                "API address",
                "url",
                "listenbrainz_url",
                "https://api.listenbrainz.org — leave empty to turn ListenBrainz off.",
            ),
            FieldDef(
                "labs_url",
                "Labs address (similar artists)",
                "url",
                "listenbrainz_labs_url",
                "Where similar artists come from.",
                default="https://labs.api.listenbrainz.org",
            ),
        ),
        optional=True,
    ),
    "lastfm": ServiceDef(
        key="lastfm",
        title="Last.fm",
        purpose=(
            "Optional listening source: people add their Last.fm name on their profile, and "
            "their scrobbles and similar artists feed their recommendations."
        ),
        fields=(
            FieldDef(
                "url",
                "API address",
                "url",
                "lastfm_url",
                "Last.fm's API root.",
                default="https://ws.audioscrobbler.com/2.0/",
            ),
            FieldDef(
                "api_key",
                "API key",
                "password",
                "lastfm_api_key",
                "Create one at last.fm/api/account/create (no secret needed).",
            ),
        ),
        optional=True,
        required=("url", "api_key"),
    ),
}
