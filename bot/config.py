"""Every setting of the bot, read once from the environment (and `.env`) and checked.

The environment names are an interface: users, the tests and staging setups set them.
`load()` turns a missing or malformed setting into one line that names it.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.models.profiles import Profile, ProfileSpec, resolve

MB = 1024 * 1024


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """The bot's settings; field names are the environment variable names in upper case."""

    # An empty value (`KEY=` in .env) counts as not set.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    slack_bot_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    database_url: str = "sqlite:///bot-installations.sqlite3"
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "0.0.0.0"
    slack_api_url: str = "https://slack.com/api/"

    reka_api_key: SecretStr | None = None
    reka_model: str = "reka-flash"
    reka_base_url: str = "https://api.reka.ai/v1"
    reka_max_tokens: int = Field(default=1024, ge=1)
    reka_request_timeout_seconds: float = Field(default=120.0, gt=0)
    reka_retry_seconds: float = Field(default=60.0, ge=0)
    model_profiles: dict[str, ProfileSpec] = Field(default_factory=dict)
    default_profile: str = "reka"
    show_reasoning: bool = False
    admin_users: str = ""  # comma-separated user ids who may change settings besides workspace admins
    settings_cache_seconds: float = Field(default=10.0, ge=0)

    max_file_bytes: int = Field(default=100 * MB, gt=0)
    max_image_bytes: int = Field(default=50 * MB, gt=0)
    max_video_bytes: int = Field(default=100 * MB, gt=0)
    max_audio_bytes: int = Field(default=50 * MB, gt=0)
    max_pdf_bytes: int = Field(default=50 * MB, gt=0)
    max_text_bytes: int = Field(default=2 * MB, gt=0)
    max_text_chars: int = Field(default=20_000, gt=0)
    image_max_edge: int = Field(default=2048, ge=64)
    image_max_bytes: int = Field(default=5 * MB, ge=64 * 1024)
    media_max_count: int = Field(default=20, ge=1)
    media_max_bytes: int = Field(default=200 * MB, gt=0)
    media_cache_bytes: int = Field(default=512 * MB, ge=0)
    media_cache_dir: str | None = None
    parallel_downloads: int = Field(default=8, ge=1)
    download_timeout_seconds: float = Field(default=60.0, gt=0)
    state_path: str = "bot-state.sqlite3"
    redis_url: str | None = None
    max_concurrent_answers: int = Field(default=50, ge=1)
    shutdown_grace_seconds: float = Field(default=25.0, ge=0)
    rate_limit_per_user: int = Field(default=0, ge=0)
    rate_limit_per_channel: int = Field(default=0, ge=0)
    rate_limit_window_seconds: int = Field(default=3600, ge=1)
    dedup_ttl_seconds: int = Field(default=3600, gt=0)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("slack_api_url", "reka_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _profiles_resolve(self) -> Settings:
        try:
            profiles = self.profiles()
        except ValueError as err:
            if str(err).startswith("REKA_API_KEY"):
                raise
            raise ValueError(f"MODEL_PROFILES is malformed: {err}") from None
        if self.default_profile not in profiles:
            raise ValueError(
                f"DEFAULT_PROFILE {self.default_profile} is not a profile; set it to one of: "
                + ", ".join(sorted(profiles))
            )
        return self

    def profiles(self) -> dict[str, Profile]:
        """Every model profile by name: `reka` from the REKA_* settings (unless only other
        profiles are configured and REKA_API_KEY is not set), then MODEL_PROFILES."""
        specs = dict(self.model_profiles)
        if self.reka_api_key is not None or not specs:
            specs = {"reka": ProfileSpec(backend="reka", model=self.reka_model), **specs}
        return {
            name: resolve(name, spec, self.reka_base_url, self.reka_api_key, self.reka_max_tokens)
            for name, spec in specs.items()
        }

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.admin_users.split(",") if u.strip())

    @property
    def oauth(self) -> bool:
        """Installed through OAuth in many workspaces, rather than with one bot token."""
        return self.slack_bot_token is None

    def slack_problem(self) -> str | None:
        """What is missing to talk to Slack (the terminal's `ask` needs none of it)."""
        if self.slack_bot_token is None and not (self.slack_client_id and self.slack_client_secret):
            return (
                "SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install "
                "in many workspaces): see .env.example"
            )
        if self.slack_app_token is None and self.slack_signing_secret is None:
            return "SLACK_SIGNING_SECRET is required over HTTP (or set SLACK_APP_TOKEN for Socket Mode)"
        return None

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def slack_api_base(self) -> str:
        """SLACK_API_URL with exactly one trailing slash, as slack-sdk expects."""
        return self.slack_api_url.rstrip("/") + "/"


def load(slack: bool = True) -> Settings:
    """Read the settings, or raise `ConfigError` naming the first bad one. `slack=False`
    reads them for the terminal, where no Slack setting is needed."""
    try:
        settings = Settings()
    except ValidationError as err:
        first = err.errors()[0]
        name = "_".join(str(part) for part in first["loc"]).upper()
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            raise ConfigError(f"{name} is not set: see .env.example") from None
        if not name:
            raise ConfigError(message) from None
        raise ConfigError(f"{name} is malformed: {message}") from None
    problem = settings.slack_problem() if slack else None
    if problem:
        raise ConfigError(problem)
    return settings
