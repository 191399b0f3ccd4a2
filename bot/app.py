"""Wiring: clients, the Bolt app and its listeners, served over HTTP or Socket Mode."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import AsyncExitStack

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot import metrics
from bot.answer import Answerer, RateLimits, Services
from bot.attachments import AttachmentLoader
from bot.cache import make_cache
from bot.channel_settings import ChannelSettings
from bot.config import ConfigError, Settings
from bot.conversation import Budget
from bot.files import FileFetcher
from bot.installations import Installations
from bot.media import Kind
from bot.models import Models
from bot.people import Directory
from bot.state import StateStore, open_state
from bot.usage import UsageLedger
from bot.workspace import BotIdentity

log = logging.getLogger("bot")


def slack_client(settings: Settings, session: aiohttp.ClientSession) -> AsyncWebClient:
    """slack-sdk's client on a shared session: connections are kept and re-used."""
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None,
        base_url=settings.slack_api_base,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


async def identify(client: AsyncWebClient) -> BotIdentity:
    """Who the bot is (`auth.test`); a refused token stops the bot with one clear line."""
    try:
        auth = await client.auth_test()
    except SlackApiError as err:
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack: {err.response.get('error')}") from None
    except aiohttp.ClientError as err:
        raise ConfigError(f"SLACK_API_URL could not be reached: {type(err).__name__}") from None
    return BotIdentity(user_id=str(auth["user_id"]), bot_id=auth.get("bot_id"))


def build_app(
    settings: Settings,
    client: AsyncWebClient,
    slack_session: aiohttp.ClientSession,
    model_session: aiohttp.ClientSession,
    state: StateStore,
    installations: Installations | None = None,
) -> tuple[AsyncApp, Answerer]:
    oauth_settings = None
    if installations is not None:
        assert settings.slack_client_id is not None and settings.slack_client_secret is not None
        oauth_settings = installations.oauth_settings(
            settings.slack_client_id, settings.slack_client_secret.get_secret_value()
        )
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else "",
        oauth_settings=oauth_settings,
        logger=logging.getLogger("slack_bolt"),
    )
    if installations is not None:
        app.enable_token_revocation_listeners()  # app_uninstalled, tokens_revoked: forget the tokens
    services = Services(
        models=models(settings, model_session),
        settings=ChannelSettings(state, settings.default_profile, settings.settings_cache_seconds),
        directory=Directory(settings.admins),
        ledger=UsageLedger(state),
        command=handlers.command.COMMAND,
        show_reasoning=settings.show_reasoning,
    )
    fetcher = FileFetcher(
        slack_session,
        api_url=settings.slack_api_base,
        max_bytes=settings.max_file_bytes,
        timeout_seconds=settings.download_timeout_seconds,
        caps={
            Kind.IMAGE: settings.max_image_bytes,
            Kind.VIDEO: settings.max_video_bytes,
            Kind.AUDIO: settings.max_audio_bytes,
            Kind.PDF: settings.max_pdf_bytes,
            Kind.TEXT: settings.max_text_bytes,
        },
    )
    answerer = Answerer(
        loader=AttachmentLoader(
            fetcher,
            make_cache(settings.media_cache_dir, settings.media_cache_bytes),
            image_max_edge=settings.image_max_edge,
            image_max_bytes=settings.image_max_bytes,
        ),
        services=services,
        state=state,
        budget=Budget(settings.media_max_count, settings.media_max_bytes, settings.max_text_chars),
        parallel_downloads=settings.parallel_downloads,
        max_concurrent=settings.max_concurrent_answers,
        limits=RateLimits(
            settings.rate_limit_per_user, settings.rate_limit_per_channel, settings.rate_limit_window_seconds
        ),
    )
    handlers.register(app, answerer, services, state, settings.dedup_ttl_seconds)
    return app, answerer


def models(settings: Settings, session: aiohttp.ClientSession) -> Models:
    """A client for every configured profile, on the model's own connection pool."""
    return Models(
        settings.profiles(),
        settings.default_profile,
        session,
        silence_timeout=settings.reka_request_timeout_seconds,
        retry_seconds=settings.reka_retry_seconds,
    )


def web_app(app: AsyncApp | None, ready: asyncio.Event) -> web.Application:
    """`POST /slack/events` (when serving HTTP) and `GET /healthz`, 200 once ready; both 503
    while stopping, so that Slack retries the event elsewhere."""
    web_application = app.web_app(path="/slack/events") if app is not None else web.Application()

    @web.middleware
    async def refuse_while_stopping(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/slack/events" and not ready.is_set():
            return web.Response(status=503, text="stopping")
        return await handler(request)

    web_application.middlewares.append(refuse_while_stopping)

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(
            status=200 if ready.is_set() else 503, text="ok" if ready.is_set() else "starting"
        )

    async def prometheus(_: web.Request) -> web.Response:
        return web.Response(body=metrics.exposition(), content_type="text/plain", charset="utf-8")

    web_application.router.add_get("/healthz", healthz)
    web_application.router.add_get("/metrics", prometheus)
    return web_application


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ready = asyncio.Event()
    async with AsyncExitStack() as stack:
        # Slack's API and files on one pool; the model's long streams on their own, so that
        # answers being written never starve Slack calls of connections.
        slack_session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        )
        model_session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        )
        client = slack_client(settings, slack_session)
        installations = None
        if settings.oauth:
            assert settings.slack_client_id is not None
            installations = Installations(settings.database_url, settings.slack_client_id)
            await installations.create_tables()
            stack.push_async_callback(installations.close)
            who = "every workspace that installs it (/slack/install)"
        else:
            who = (await identify(client)).user_id
        state = open_state(settings.state_path, settings.redis_url)
        stack.push_async_callback(state.close)
        app, answerer = build_app(settings, client, slack_session, model_session, state, installations)

        runner = web.AppRunner(web_app(None if settings.socket_mode else app, ready), access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        # A deep accept queue: a burst of Slack events must not wait for SYN retries (1 s each).
        await web.TCPSite(runner, settings.host, settings.port, backlog=2048).start()
        if settings.socket_mode:
            assert settings.slack_app_token is not None
            socket = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value())
            await socket.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack-bolt
            stack.push_async_callback(socket.close_async)
            log.info("connected to Slack in Socket Mode for %s; /healthz on port %d", who, settings.port)
        else:
            log.info("serving Slack events on port %d for %s", settings.port, who)
        gc.freeze()  # the objects of start-up live as long as the process: no collection scans them again
        ready.set()
        await stop.wait()
        # Stop taking work (/healthz and /slack/events answer 503, Socket Mode disconnects, so
        # Slack and the load balancer go elsewhere), let answers in flight finish, then go.
        ready.clear()
        if settings.socket_mode:
            await socket.disconnect_async()  # type: ignore[no-untyped-call]
        log.info("stopping: waiting up to %g s for answers in flight", settings.shutdown_grace_seconds)
        await answerer.drain(settings.shutdown_grace_seconds)
        log.info("stopped")
