"""A local emulator of the Slack Web API, its private file hosting and Socket Mode.

It keeps channels and threads, serves private files with Slack's auth behaviour (a
sign-in page with status 200 when the token may not read files), checks scopes, and
records every call, every download and every Socket Mode acknowledgement.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.emulators.server import LocalServer

BOT_TOKEN = "xoxb-test-bot-token-0123456789"
OAUTH_CLIENT_ID = "1111.2222"
OAUTH_CLIENT_SECRET = "oauth-client-secret-0123456789"
APP_TOKEN = "xapp-test-app-token-0123456789"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"

ALL_SCOPES = frozenset(
    {
        "app_mentions:read",
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
        "assistant:write",
    }
)

SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Slack</title></head>"
    b"<body><h1>Sign in to your workspace</h1></body></html>"
)

# The scope each method needs; history scopes depend on the kind of channel.
_METHOD_SCOPE = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.startStream": "chat:write",
    "chat.appendStream": "chat:write",
    "chat.stopStream": "chat:write",
    "assistant.threads.setStatus": "chat:write",
    "assistant.threads.setTitle": "assistant:write",
    "assistant.threads.setSuggestedPrompts": "assistant:write",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
    "users.info": "users:read",
    "files.info": "files:read",
    "chat.postEphemeral": "chat:write",
}


def _history_scope(channel: str) -> str:
    return {"D": "im:history", "G": "groups:history"}.get(channel[:1], "channels:history")


@dataclass
class Download:
    path: str
    authorization: str | None
    bytes_sent: int
    completed: bool


@dataclass
class StoredFile:
    id: str
    name: str
    mimetype: str
    content: bytes | None = None
    size: int | None = None  # what Slack says; defaults to the real size
    generated_size: int = 0  # for huge bodies made on the fly instead of `content`
    extra: dict[str, Any] = field(default_factory=dict)


class SlackEmulator(LocalServer):
    max_body = 64 * 1024 * 1024

    def __init__(self) -> None:
        super().__init__()
        self.scopes: set[str] = set(ALL_SCOPES)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.tokens: dict[str, str] = {BOT_TOKEN: TEAM}  # bot token -> its workspace
        self.tokens_used: list[tuple[str, str]] = []  # (method, token) of every call
        self.oauth_codes: dict[str, str] = {}  # install code -> the workspace installing
        self.call_times: list[tuple[str, float]] = []
        self.downloads: list[Download] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, StoredFile] = {}
        self.users: dict[str, str] = {"U1": "ana", "U2": "ben", "U3": "chloe"}
        self.admins: set[str] = {"U1"}  # workspace admins among the users
        self.locales: dict[str, str] = {}  # user -> Slack locale ("ja-JP"); en-US when unset
        self.channel_names: dict[str, str] = {"C1": "general", "C2": "random", "C3": "design"}
        self.ephemeral: list[dict[str, Any]] = []  # chat.postEphemeral calls
        self.refuse: dict[str, str] = {}  # method -> error answered to the next call
        self.rate_limit: dict[str, int] = {}  # method -> Retry-After seconds of one HTTP 429
        self.redirects: dict[str, str] = {}  # path -> absolute Location
        self.downloads_in_flight = 0
        self.most_downloads_at_once = 0
        self.slow_files: dict[str, float] = {}  # file id -> seconds before the body starts
        self.streaming_enabled = True  # False: chat.startStream answers like an older workspace
        self.stream_expires_after: int | None = None  # appends before a stream leaves streaming state
        self.status_enabled = True  # False: assistant.threads.setStatus is refused
        self.statuses: list[tuple[str, str, str]] = []  # (channel, thread_ts, status)
        self.assistant_threads: set[tuple[str, str]] = set()  # (channel, thread_ts) opened in the AI panel
        self.views: list[dict[str, Any]] = []  # modals opened
        self.home_views: dict[str, dict[str, Any]] = {}  # user -> published App Home
        self.page_size = 1000  # Slack may return fewer messages than `limit` asks for
        self.responses: list[dict[str, Any]] = []  # posts to a command's response_url
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()

    # ---- lifecycle ----

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/files-pri/{team_file}/{name}", self._file)
        app.router.add_get("/redirect/{key}", self._redirect)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/commands/response", self._response_url)

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        await super().stop()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    # ---- what tests set up ----

    def next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.000100"

    def add_file(
        self,
        name: str,
        content: bytes | None,
        mimetype: str,
        *,
        size: int | None = None,
        generated_size: int = 0,
        **extra: Any,
    ) -> dict[str, Any]:
        """Store a file and return its Slack file object, as it appears in messages."""
        file_id = f"F{next(self._ids):04d}"
        self.files[file_id] = StoredFile(file_id, name, mimetype, content, size, generated_size, extra)
        return self._file_object(self.files[file_id])

    def _file_object(self, stored: StoredFile) -> dict[str, Any]:
        real = len(stored.content) if stored.content is not None else stored.generated_size
        url = f"{self.base}/files-pri/{TEAM}-{stored.id}/{stored.name}"
        obj: dict[str, Any] = {
            "id": stored.id,
            "name": stored.name,
            "title": stored.name,
            "mimetype": stored.mimetype,
            "filetype": stored.name.rsplit(".", 1)[-1],
            "size": stored.size if stored.size is not None else real,
            "mode": "hosted",
            "is_external": False,
            "url_private": url,
            "url_private_download": url + "?download=1",
        }
        obj.update(stored.extra)
        return obj

    def post(
        self,
        channel: str,
        text: str,
        *,
        user: str | None = "U1",
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A message appears in Slack (as a person or another bot would post it)."""
        message: dict[str, Any] = {"type": "message", "ts": self.next_ts(), "text": text}
        if user is not None:
            message["user"] = user
        if files:
            message["files"] = files
            message["subtype"] = "file_share"
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        message.update(extra)
        self._store(channel, message)
        return message

    def _store(self, channel: str, message: dict[str, Any]) -> None:
        self.messages.setdefault(channel, []).append(message)
        parent_ts = message.get("thread_ts")
        if parent_ts:
            for parent in self.messages[channel]:
                if parent["ts"] == parent_ts:
                    parent["thread_ts"] = parent_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return sorted(
            (
                m
                for m in self.messages.get(channel, [])
                if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts
            ),
            key=lambda m: float(m["ts"]),
        )

    def bot_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [
            m for m in self.thread(channel, thread_ts) if m.get("bot_id") == BOT_ID and m["ts"] != thread_ts
        ]

    async def wait_for_replies(
        self, channel: str, thread_ts: str, count: int = 1, timeout: float = 20, settle: float = 0.3
    ) -> list[dict[str, Any]]:
        """The bot's replies in the thread once there are `count` and no reaction is left."""
        async with asyncio.timeout(timeout):
            while True:
                replies = self.bot_replies(channel, thread_ts)
                streaming = any(m.get("streaming") for m in replies)
                if (
                    len(replies) >= count
                    and not streaming
                    and not self.reactions_left()
                    and (
                        not self.status_of(channel, thread_ts) or self.status_of(channel, thread_ts)[-1] == ""
                    )
                ):
                    await asyncio.sleep(settle)  # a duplicate answer would show up here
                    return self.bot_replies(channel, thread_ts)
                await asyncio.sleep(0.02)

    async def wait_for_bot_post(self, channel: str, timeout: float = 10) -> dict[str, Any]:
        """The first top-level message the bot posts in `channel` (a command's question)."""
        async with asyncio.timeout(timeout):
            while True:
                for message in self.messages.get(channel, []):
                    if (
                        message.get("bot_id") == BOT_ID
                        and message.get("thread_ts", message["ts"]) == message["ts"]
                    ):
                        return message
                await asyncio.sleep(0.02)

    def reactions_left(self) -> list[str]:
        return [
            f"{m['ts']}:{r['name']}"
            for msgs in self.messages.values()
            for m in msgs
            for r in m.get("reactions", [])
            if BOT_USER in r["users"]
        ]

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # ---- Web API ----

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") or params.get("token", "")
        self.calls.append((method, params))
        self.tokens_used.append((method, token))
        self.call_times.append((method, time.monotonic()))
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return self._error("invalid_auth")
            return web.json_response({"ok": True, "url": self.base.replace("http", "ws") + "/socket"})
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(authorization, params))
        if token not in self.tokens:
            return self._error("invalid_auth")
        params["_team"] = self.tokens[token]
        if method in self.rate_limit:
            seconds = self.rate_limit.pop(method)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(seconds)}
            )
        if method in self.refuse:
            return self._error(self.refuse.pop(method))
        needed = (
            _history_scope(params.get("channel", "C"))
            if method == "conversations.replies"
            else (_METHOD_SCOPE.get(method))
        )
        if needed and needed not in self.scopes:
            return web.json_response(
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": needed,
                    "provided": ",".join(sorted(self.scopes)),
                }
            )
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return self._error("unknown_method")
        result: dict[str, Any] = handler(params)
        return web.json_response(result, headers={"X-OAuth-Scopes": ",".join(sorted(self.scopes))})

    @staticmethod
    def _error(error: str) -> web.Response:
        return web.json_response({"ok": False, "error": error})

    def _oauth_access(self, authorization: str, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's side of the install: a code for client credentials -> a bot token."""
        expected = "Basic " + base64.b64encode(f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return {"ok": False, "error": "invalid_client_id"}
        team = self.oauth_codes.pop(params.get("code", ""), None)
        if team is None:
            return {"ok": False, "error": "invalid_code"}
        token = f"xoxb-installed-{team}-0123456789"
        self.tokens[token] = team
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(sorted(self.scopes)),
            "bot_user_id": BOT_USER,
            "app_id": "AAPP",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U1", "scope": "", "access_token": None, "token_type": None},
        }

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://emulated.slack.com/",
            "team": "Emulated",
            "user": "reka",
            "team_id": params["_team"],
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        thread = self.thread(params["channel"], params["ts"])
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        include_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        if not include_metadata:
            thread = [{k: v for k, v in m.items() if k != "metadata"} for m in thread]
        limit = min(int(params.get("limit") or 100), self.page_size)
        start = int(params.get("cursor") or 0)
        page = thread[start : start + limit]
        more = start + limit < len(thread)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    @staticmethod
    def _too_long(params: dict[str, Any]) -> str | None:
        if params.get("markdown_text") and (params.get("text") or params.get("blocks")):
            return "invalid_arguments"  # markdown_text goes alone
        if len(params.get("markdown_text") or "") > 12000:
            return "markdown_text_too_long"
        if len(params.get("text") or "") > 40000:
            return "msg_too_long"
        return None

    def _bot_message(self, params: dict[str, Any], text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self.next_ts(),
            "text": text,
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": "AAPP",
            "bot_profile": {"id": BOT_ID, "name": "reka"},
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        return message

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params["channel"]
        error = self._too_long(params)
        if error:
            return {"ok": False, "error": error}
        message = self._bot_message(params, params.get("text") or params.get("markdown_text") or "")
        if params.get("markdown_text"):
            message["markdown_text"] = params["markdown_text"]
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
        self._store(channel, message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params["channel"], params["ts"])
        if message is None or message.get("bot_id") != BOT_ID:
            return {"ok": False, "error": "message_not_found" if message is None else "cant_update_message"}
        error = self._too_long(params)
        if error:
            return {"ok": False, "error": error}
        message.pop("streaming", None)
        if params.get("markdown_text"):
            message["markdown_text"] = message["text"] = params["markdown_text"]
        else:
            message["text"] = params.get("text", "")
        message["edits"] = message.get("edits", 0) + 1
        return {"ok": True, "channel": params["channel"], "ts": params["ts"]}

    @staticmethod
    def _stream_text(params: dict[str, Any]) -> str:
        chunks = params.get("chunks") or []
        if isinstance(chunks, str):
            chunks = json.loads(chunks)
        return (params.get("markdown_text") or "") + "".join(
            c.get("text", "") for c in chunks if c.get("type") == "markdown_text"
        )

    def _m_chat_startStream(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self.streaming_enabled:
            return {"ok": False, "error": "unknown_method"}
        channel = params["channel"]
        if not channel.startswith("D") and not (
            params.get("recipient_user_id") and params.get("recipient_team_id")
        ):
            return {"ok": False, "error": "invalid_arguments"}  # required when streaming in channels
        text = self._stream_text(params)
        message = self._bot_message(params, text)
        message.update(markdown_text=text, streaming=True, appends=0)
        self._store(channel, message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def _streaming(self, params: dict[str, Any]) -> dict[str, Any] | str:
        message = self._find(params["channel"], params["ts"])
        if message is None:
            return "message_not_found"
        if not message.get("streaming"):
            return "message_not_in_streaming_state"
        if self.stream_expires_after is not None and message["appends"] >= self.stream_expires_after:
            message.pop("streaming")  # Slack timed the stream out
            return "message_not_in_streaming_state"
        text = message["markdown_text"] + self._stream_text(params)
        if len(text) > 12000:
            return "msg_too_long"
        message["markdown_text"] = message["text"] = text
        message["appends"] += 1
        return message

    def _m_chat_appendStream(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._streaming(params)
        if isinstance(message, str):
            return {"ok": False, "error": message}
        return {"ok": True, "channel": params["channel"], "ts": params["ts"]}

    def _m_chat_stopStream(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._streaming(params)
        if isinstance(message, str):
            return {"ok": False, "error": message}
        message.pop("streaming")
        return {"ok": True, "channel": params["channel"], "ts": params["ts"], "message": message}

    def _m_assistant_threads_setStatus(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self.status_enabled:
            return {"ok": False, "error": "not_allowed_token_type"}
        self.statuses.append((params["channel_id"], params["thread_ts"], params["status"]))
        return {"ok": True}

    def _m_assistant_threads_setSuggestedPrompts(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_assistant_threads_setTitle(self, params: dict[str, Any]) -> dict[str, Any]:
        if (params["channel_id"], params["thread_ts"]) not in self.assistant_threads:
            return {"ok": False, "error": "invalid_thread_ts"}
        return {"ok": True}

    def _m_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params["view"] if isinstance(params["view"], dict) else json.loads(params["view"])
        self.views.append(view)
        return {"ok": True, "view": {**view, "id": f"V{len(self.views)}"}}

    def _m_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params["view"] if isinstance(params["view"], dict) else json.loads(params["view"])
        self.home_views[params["user_id"]] = view
        return {"ok": True, "view": view}

    def status_of(self, channel: str, thread_ts: str) -> list[str]:
        return [status for c, t, status in self.statuses if (c, t) == (channel, thread_ts)]

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def _m_reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params["channel"], params["timestamp"])
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.setdefault("reactions", []).append({"name": params["name"], "users": [BOT_USER], "count": 1})
        return {"ok": True}

    def _m_reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params["channel"], params["timestamp"])
        reactions = message.get("reactions", []) if message else []
        kept = [r for r in reactions if r["name"] != params["name"]]
        if message is None or len(kept) == len(reactions):
            return {"ok": False, "error": "no_reaction"}
        message["reactions"] = kept
        return {"ok": True}

    def _m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params["user"]
        name = self.users.get(user)
        if name is None:
            return {"ok": False, "error": "user_not_found"}
        info = {
            "id": user,
            "name": name,
            "is_admin": user in self.admins,
            "is_owner": False,
            "profile": {"display_name": name.title(), "real_name": name.title()},
        }
        if str(params.get("include_locale")).lower() in ("true", "1"):
            info["locale"] = self.locales.get(user, "en-US")
        return {"ok": True, "user": info}

    def _m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params["channel"]
        needed = "groups:read" if channel.startswith("G") else "channels:read"
        if needed not in self.scopes:
            return {"ok": False, "error": "missing_scope", "needed": needed}
        name = self.channel_names.get(channel)
        if name is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": name, "is_channel": True, "is_mpim": False}}

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self.ephemeral.append(params)
        return {"ok": True, "message_ts": self.next_ts()}

    def _m_files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(params["file"])
        if stored is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self._file_object(stored)}

    @property
    def response_url(self) -> str:
        return f"{self.base}/commands/response"

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        return web.Response(text="ok")

    # ---- private files ----

    async def _redirect(self, request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": self.redirects[request.match_info["key"]]})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        authorization = request.headers.get("Authorization")
        file_id = request.match_info["team_file"].split("-", 1)[1]
        stored = self.files.get(file_id)
        record = Download(request.path, authorization, 0, False)
        self.downloads.append(record)
        token = (authorization or "").removeprefix("Bearer ")
        if token not in self.tokens or "files:read" not in self.scopes or stored is None:
            record.completed = True
            return web.Response(status=200, body=SIGN_IN_PAGE, content_type="text/html")
        response = web.StreamResponse(headers={"Content-Type": stored.mimetype})
        self.downloads_in_flight += 1
        self.most_downloads_at_once = max(self.most_downloads_at_once, self.downloads_in_flight)
        try:
            await response.prepare(request)
            await asyncio.sleep(self.slow_files.get(file_id, 0))
            for chunk in _chunks(stored):
                await response.write(chunk)
                record.bytes_sent += len(chunk)
            await response.write_eof()
            record.completed = True
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            self.downloads_in_flight -= 1
        return response

    # ---- Socket Mode ----

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "emulator"}})
        self._socket_connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return ws

    async def send_socket_envelope(self, envelope: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        """Deliver an envelope over the open connection; return the bot's acknowledgement."""
        async with asyncio.timeout(timeout):
            await self._socket_connected.wait()
        ws = self._sockets[-1]
        await ws.send_json(envelope)
        async with asyncio.timeout(timeout):
            while True:
                for ack in self.socket_acks:
                    if ack.get("envelope_id") == envelope["envelope_id"]:
                        return ack
                await asyncio.sleep(0.01)


def _chunks(stored: StoredFile, size: int = 64 * 1024) -> Iterator[bytes]:
    if stored.content is not None:
        for start in range(0, len(stored.content), size):
            yield stored.content[start : start + size]
        return
    sent = 0
    block = b"\0" * size
    while sent < stored.generated_size:
        chunk = block[: min(size, stored.generated_size - sent)]
        sent += len(chunk)
        yield chunk


class ForeignHost(LocalServer):
    """A server that is not Slack's, on another loopback address; records what it is sent."""

    host = "127.0.0.2"

    def __init__(self, body: bytes, content_type: str) -> None:
        super().__init__()
        self.body = body
        self.content_type = content_type
        self.requests: list[dict[str, str]] = []

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/{tail:.*}", self._serve)

    async def _serve(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        return web.Response(body=self.body, content_type=self.content_type)
