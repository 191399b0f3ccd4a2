"""Many workspaces: slack-bolt's OAuth flow, with slack-sdk's SQLAlchemy stores for
installations and OAuth states (SQLite by default, PostgreSQL through `DATABASE_URL`)."""

from __future__ import annotations

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# What the app asks for when installed; tests/test_manifest.py holds manifest.yml to it.
BOT_SCOPES = [
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "chat:write",
    "chat:write.public",
    "channels:read",
    "groups:read",
    "commands",
    "files:read",
    "reactions:write",
    "users:read",
]
_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def async_url(url: str) -> str:
    """`postgresql://...` and `sqlite:///...` as SQLAlchemy's asyncio drivers name them."""
    scheme, sep, rest = url.partition("://")
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}{sep}{rest}"


class Installations:
    """The stores behind the OAuth flow, on one database."""

    def __init__(self, database_url: str, client_id: str) -> None:
        self.engine: AsyncEngine = create_async_engine(async_url(database_url))
        self.installation_store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=self.engine)
        self.state_store = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=self.engine)

    async def create_tables(self) -> None:
        await self.installation_store.create_tables()  # type: ignore[no-untyped-call]
        await self.state_store.create_tables()  # type: ignore[no-untyped-call]

    def oauth_settings(self, client_id: str, client_secret: str) -> AsyncOAuthSettings:
        return AsyncOAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            scopes=BOT_SCOPES,
            installation_store=self.installation_store,
            state_store=self.state_store,
        )

    async def close(self) -> None:
        await self.engine.dispose()
