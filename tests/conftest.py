"""The world a test runs in: the Slack and Reka emulators on 127.0.0.1 and the real bot
process (`python -m bot`), driven the way Slack drives it: signed HTTP requests."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.emulators.openai_compat import API_KEY as OPENAI_KEY
from tests.emulators.openai_compat import OpenAICompatibleEmulator
from tests.emulators.reka import API_KEY, RekaEmulator
from tests.emulators.slack import APP_TOKEN, BOT_TOKEN, BOT_USER, OAUTH_CLIENT_SECRET, TEAM, SlackEmulator
from tests.postgres_server import PostgresServer
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
SECRETS = (BOT_TOKEN, APP_TOKEN, API_KEY, OPENAI_KEY, SIGNING_SECRET, OAUTH_CLIENT_SECRET, "xoxb-installed-")
_event_ids = itertools.count(1)


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def wait_for(condition: Any, timeout: float = 10) -> None:
    """Wait until `condition()` is true (what the emulators saw), failing after `timeout`."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bot:
    """The bot as a separate process, and the HTTP client Slack would be."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.port = int(env["PORT"])
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None
        self.http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )
        log.close()
        self.http = aiohttp.ClientSession()
        await self.wait_ready()

    async def wait_ready(self, timeout: float = 20) -> None:
        assert self.http is not None and self.process is not None
        async with asyncio.timeout(timeout):
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.log()}")
                try:
                    async with self.http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(10):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self.http is not None:
            await self.http.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def post(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None, signed: bool = True
    ) -> tuple[int, str]:
        assert self.http is not None
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def send_event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        team: str = TEAM,
        **post: Any,
    ) -> tuple[int, str]:
        body = json.dumps(envelope(event, event_id, team)).encode()
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, "application/json", headers=headers, **post)

    async def interactive(self, payload: dict[str, Any]) -> tuple[int, str]:
        """A shortcut, a modal submission or another interaction, form-encoded as Slack sends it."""
        return await self.post(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )

    async def slash_command(
        self, text: str, response_url: str, channel: str = "C1", user: str = "U1"
    ) -> tuple[int, str]:
        form = command_payload(text, channel, user, response_url)
        return await self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")


def envelope(event: dict[str, Any], event_id: str | None = None, team: str = TEAM) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": "AAPP",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):06d}",
        "event_time": int(time.time()),
        "event_context": "4-context",
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True, "enterprise_id": None}],
        "event": event,
    }


def command_payload(text: str, channel: str, user: str, response_url: str) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "emulated",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "ana",
        "command": "/reka",
        "text": text,
        "api_app_id": "AAPP",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }


class World:
    """Everything a story needs: `slack`, `reka`, `bot`, and the gestures people make."""

    def __init__(
        self,
        slack: SlackEmulator,
        reka: RekaEmulator,
        workdir: Path,
        openai: OpenAICompatibleEmulator | None = None,
    ) -> None:
        self.slack = slack
        self.reka = reka
        self._openai = openai
        self.workdir = workdir
        self.bots: list[Bot] = []
        self._bot: Bot | None = None

    @property
    def openai(self) -> OpenAICompatibleEmulator:
        assert self._openai is not None, "this world has no OpenAI-compatible server"
        return self._openai

    def openai_profile(self, name: str = "local", **fields: Any) -> str:
        """MODEL_PROFILES naming the OpenAI-compatible emulator as profile `name`."""
        spec = {
            "backend": "openai",
            "base_url": self.openai.base,
            "model": "qwen2.5-vl",
            "api_key": OPENAI_KEY,
        }
        return json.dumps({name: {**spec, **fields}})

    async def run(self, *args: str, **overrides: str) -> tuple[int, str, str]:
        """`python -m bot ARGS...` with `env()` and these settings: exit code, stdout, stderr."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.workdir,
            env=self.env(**overrides),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(60):
            out, err = await process.communicate()
        assert process.returncode is not None
        for secret in SECRETS:
            assert secret not in out.decode() + err.decode(), "a secret reached the terminal"
        return process.returncode, out.decode(), err.decode()

    @property
    def bot(self) -> Bot:
        assert self._bot is not None, "call await world.start_bot() first"
        return self._bot

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.slack.api_url,
            "REKA_API_KEY": API_KEY,
            "REKA_BASE_URL": self.reka.base,
            "REKA_RETRY_SECONDS": "10",
            "REKA_REQUEST_TIMEOUT_SECONDS": "10",
            "PORT": str(free_port()),
            "HOST": "127.0.0.1",
            "STATE_PATH": str(self.workdir / "state.sqlite3"),
            "LOG_LEVEL": "DEBUG",
            "SHUTDOWN_GRACE_SECONDS": "2",
        }
        env.update(overrides)
        return {k: v for k, v in env.items() if v != ""}

    async def start_bot(self, **overrides: str) -> Bot:
        """Start the bot with these settings on top of `env()`, and wait until it is ready."""
        bot = Bot(self.env(**overrides), self.workdir)
        self.bots.append(bot)
        self._bot = bot
        await bot.start()
        return bot

    async def mention(
        self,
        text: str,
        *,
        channel: str = "C1",
        user: str = "U1",
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A person posts `@bot text` and Slack sends the bot `app_mention`."""
        message = self.slack.post(
            channel, f"<@{BOT_USER}> {text}", user=user, thread_ts=thread_ts, files=files
        )
        status, _ = await self.bot.send_event(app_mention(channel, message))
        assert status == 200
        return message

    async def direct_message(
        self,
        text: str,
        *,
        channel: str = "D1",
        user: str = "U1",
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A person writes to the bot in its DM and Slack sends `message` (`channel_type: im`)."""
        message = self.slack.post(channel, text, user=user, thread_ts=thread_ts, files=files)
        status, _ = await self.bot.send_event(message_event(channel, message))
        assert status == 200
        return message

    async def open_home(self, user: str = "U1", channel: str = "D1") -> dict[str, Any]:
        """A person opens the bot's Home tab; returns the view the bot published for them."""
        event = {"type": "app_home_opened", "user": user, "channel": channel, "tab": "home"}
        status, _ = await self.bot.send_event({**event, "event_ts": self.slack.next_ts()})
        assert status == 200
        await wait_for(lambda: user in self.slack.home_views)
        return self.slack.home_views[user]

    async def answer_to(self, message: dict[str, Any], channel: str = "C1", count: int = 1) -> str:
        """The text of the bot's replies in the thread the message belongs to."""
        thread = message.get("thread_ts") or message["ts"]
        replies = await self.slack.wait_for_replies(channel, thread, count=count)
        return "\n\n".join(r.get("markdown_text") or r["text"] for r in replies)


def app_mention(channel: str, message: dict[str, Any]) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "channel": channel,
        "event_ts": message["ts"],
        **{k: v for k, v in message.items() if k not in ("type", "subtype")},
    }
    return event


def message_event(channel: str, message: dict[str, Any]) -> dict[str, Any]:
    return {**message, "channel": channel, "channel_type": "im", "event_ts": message["ts"]}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    slack, reka, openai = SlackEmulator(), RekaEmulator(), OpenAICompatibleEmulator()
    await slack.start()
    await reka.start()
    await openai.start()
    w = World(slack, reka, tmp_path, openai)
    try:
        yield w
    finally:
        for bot in w.bots:
            await bot.stop()
        await slack.stop()
        await reka.stop()
        await openai.stop()
    for bot in w.bots:
        log = bot.log()
        for secret in SECRETS:
            assert secret not in log, "a secret reached the bot's log"


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(tmp_path, free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def postgres_server() -> AsyncIterator[PostgresServer]:
    server = PostgresServer(free_port())
    try:
        await server.start()
        yield server
    finally:
        await server.stop()
