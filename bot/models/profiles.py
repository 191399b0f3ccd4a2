"""Named model profiles: which backend, which model, and what that model can take.

The profile `reka` always exists (from the REKA_* settings); MODEL_PROFILES adds more, as
JSON: `{"local": {"backend": "openai", "base_url": "http://127.0.0.1:11434/v1",
"model": "llava"}}`. What a model accepts comes from built-ins known by model name
(`reka-flash-3` reads text only, `reka-edge` at most three images), and any field a
profile sets wins over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bot.conversation import Budget
from bot.media import Kind

MEDIA_KINDS = (Kind.IMAGE, Kind.VIDEO, Kind.AUDIO, Kind.PDF)
Backend = Literal["reka", "openai"]


class ProfileSpec(BaseModel):
    """One entry of MODEL_PROFILES, as an admin writes it."""

    model_config = ConfigDict(extra="forbid")

    backend: Backend = "reka"
    model: str
    base_url: str | None = None  # reka: REKA_BASE_URL; openai: required
    api_key: SecretStr | None = None  # reka: REKA_API_KEY; openai: none sent when unset
    accepts: list[Literal["image", "video", "audio", "pdf"]] | None = None
    max_images: int | None = Field(default=None, ge=0)
    max_media: int | None = Field(default=None, ge=0)
    max_media_bytes: int | None = Field(default=None, ge=0)
    context_tokens: int | None = Field(default=None, ge=256)
    max_tokens: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class Capabilities:
    """What one request to the model may carry. None: no limit of the model's own."""

    accepts: frozenset[Kind]
    max_images: int | None = None
    max_media: int | None = None
    max_media_bytes: int | None = None
    context_tokens: int | None = None


@dataclass(frozen=True)
class Profile:
    """A model ready to be called: where, with which key, and what it takes."""

    name: str
    backend: Backend
    model: str
    base_url: str
    api_key: SecretStr | None
    key_setting: str  # where the key comes from, named in a message when it is refused
    max_tokens: int
    capabilities: Capabilities

    def budget(self, base: Budget) -> Budget:
        """The bot's budget narrowed to what this model takes."""
        model = self.capabilities

        def least(ours: int, theirs: int | None) -> int:
            return ours if theirs is None else min(ours, theirs)

        max_input_chars = None
        if model.context_tokens is not None:  # about 3 characters a token, leaving room for the answer
            max_input_chars = max(1000, (model.context_tokens - self.max_tokens) * 3)
        return Budget(
            max_media=least(base.max_media, model.max_media),
            max_media_bytes=least(base.max_media_bytes, model.max_media_bytes),
            max_text_chars=base.max_text_chars,
            accepts=base.accepts & model.accepts,
            max_images=model.max_images,
            max_input_chars=max_input_chars,
            model=f"`{self.model}`",
        )


def builtin_capabilities(backend: Backend, model: str) -> Capabilities:
    """What is known of a model by its name; OpenAI-compatible servers are assumed to read
    images only, until their profile says more."""
    name = model.lower()
    if name.startswith("reka-flash-3"):
        return Capabilities(accepts=frozenset())  # a text-only reasoning model
    if name.startswith("reka-edge"):
        return Capabilities(accepts=frozenset(MEDIA_KINDS), max_images=3)
    if backend == "reka" or name.startswith("reka-"):
        return Capabilities(accepts=frozenset(MEDIA_KINDS))
    return Capabilities(accepts=frozenset({Kind.IMAGE}))


def resolve(
    name: str, spec: ProfileSpec, reka_base_url: str, reka_api_key: SecretStr | None, max_tokens: int
) -> Profile:
    """The profile `name` as configured, with built-ins filled in and defaults applied."""
    known = builtin_capabilities(spec.backend, spec.model)
    capabilities = Capabilities(
        accepts=frozenset(Kind(k) for k in spec.accepts) if spec.accepts is not None else known.accepts,
        max_images=spec.max_images if spec.max_images is not None else known.max_images,
        max_media=spec.max_media if spec.max_media is not None else known.max_media,
        max_media_bytes=spec.max_media_bytes if spec.max_media_bytes is not None else known.max_media_bytes,
        context_tokens=spec.context_tokens if spec.context_tokens is not None else known.context_tokens,
    )
    if spec.backend == "reka":
        base_url = spec.base_url or reka_base_url
        api_key = spec.api_key or reka_api_key
        key_setting = f"the api_key of profile {name} in MODEL_PROFILES" if spec.api_key else "REKA_API_KEY"
    else:
        if not spec.base_url:
            raise ValueError(f"profile {name} needs a base_url (the server's /v1 address)")
        base_url, api_key = spec.base_url, spec.api_key
        key_setting = f"the api_key of profile {name} in MODEL_PROFILES"
    if spec.backend == "reka" and api_key is None:
        raise ValueError(
            "REKA_API_KEY is not set: see .env.example"
            if name == "reka"
            else f"profile {name} needs REKA_API_KEY (or an api_key of its own)"
        )
    return Profile(
        name=name,
        backend=spec.backend,
        model=spec.model,
        base_url=base_url,
        api_key=api_key,
        key_setting=key_setting,
        max_tokens=spec.max_tokens or max_tokens,
        capabilities=capabilities,
    )
