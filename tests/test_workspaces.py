"""Installed in many workspaces with Slack's OAuth flow: installations stored in SQL (SQLite,
or PostgreSQL), each workspace answered with its own token, uninstalls forgotten."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from urllib.parse import unquote

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.installations import async_url
from tests.conftest import Bot, World, app_mention
from tests.emulators.reka import Reply
from tests.emulators.slack import BOT_USER, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET
from tests.postgres_server import PostgresServer

INSTALLED_TOKEN = "xoxb-installed-T0777-0123456789"


async def install(world: World, bot: Bot, team: str) -> None:
    """An admin of `team` clicks "Add to Slack" and approves."""
    assert bot.http is not None
    async with bot.http.get(f"{bot.url}/slack/install", allow_redirects=False) as page:
        assert page.status == 200
        html = await page.text()
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    state = unquote(re.search(r"state=([^&\"']+)", html).group(1))  # type: ignore[union-attr]
    world.slack.oauth_codes["the-code"] = team  # what Slack hands the browser after approval
    async with bot.http.get(
        f"{bot.url}/slack/oauth_redirect",
        params={"code": "the-code", "state": state},
        headers={"Cookie": cookie},
    ) as done:
        assert done.status == 200, await done.text()


def oauth_env(database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": OAUTH_CLIENT_ID,
        "SLACK_CLIENT_SECRET": OAUTH_CLIENT_SECRET,
        "DATABASE_URL": database_url,
    }


async def ask_in(world: World, bot: Bot, team: str, text: str, event_id: str) -> dict[str, str]:
    message = world.slack.post("C5", f"<@{BOT_USER}> {text}", user="U1")
    status, _ = await bot.send_event(app_mention("C5", message), event_id=event_id, team=team)
    assert status == 200
    return message


async def test_a_workspace_installs_the_app_and_is_answered_with_its_own_token(world: World) -> None:
    database = world.workdir / "installations.sqlite3"
    bot = await world.start_bot(**oauth_env(f"sqlite:///{database}"))
    world.reka.script = [Reply("Hello, new workspace.")]

    await install(world, bot, "T0777")
    with sqlite3.connect(database) as db:
        [(team, token)] = db.execute("SELECT team_id, bot_token FROM slack_bots").fetchall()
    assert (team, token) == ("T0777", INSTALLED_TOKEN)
    access = world.slack.called("oauth.v2.access")
    assert [call["code"] for call in access] == ["the-code"]

    question = await ask_in(world, bot, "T0777", "hi", "EvW1")
    replies = await world.slack.wait_for_replies("C5", question["ts"])
    assert replies[0]["markdown_text"] == "Hello, new workspace."
    used = {token for method, token in world.slack.tokens_used if method == "chat.startStream"}
    assert used == {INSTALLED_TOKEN}


async def test_uninstalling_forgets_the_workspace(world: World) -> None:
    database = world.workdir / "installations.sqlite3"
    bot = await world.start_bot(**oauth_env(f"sqlite:///{database}"))
    await install(world, bot, "T0777")

    status, _ = await bot.send_event(
        {"type": "app_uninstalled", "event_ts": "1"}, event_id="EvU1", team="T0777"
    )

    assert status == 200

    def rows() -> list[int]:
        with sqlite3.connect(database) as db:
            return [
                db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("slack_bots", "slack_installations")
            ]

    async with asyncio.timeout(5):  # the event is acknowledged first, then handled
        while rows() != [0, 0]:
            await asyncio.sleep(0.05)
    question = await ask_in(world, bot, "T0777", "still there?", "EvW2")
    assert json.dumps(world.slack.bot_replies("C5", question["ts"])) == "[]"


async def test_installations_can_live_in_postgresql(world: World, postgres_server: PostgresServer) -> None:
    bot = await world.start_bot(**oauth_env(postgres_server.url))
    world.reka.script = [Reply("Stored in PostgreSQL.")]

    await install(world, bot, "T0777")
    question = await ask_in(world, bot, "T0777", "hi", "EvP1")

    replies = await world.slack.wait_for_replies("C5", question["ts"])
    assert replies[0]["markdown_text"] == "Stored in PostgreSQL."
    engine = create_async_engine(async_url(postgres_server.url))
    try:
        async with engine.connect() as db:
            rows = (await db.execute(text("SELECT team_id, bot_token FROM slack_bots"))).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in rows] == [("T0777", INSTALLED_TOKEN)]


async def test_revoked_tokens_are_forgotten(world: World) -> None:
    database = world.workdir / "installations.sqlite3"
    bot = await world.start_bot(**oauth_env(f"sqlite:///{database}"))
    await install(world, bot, "T0777")

    revoked = {"type": "tokens_revoked", "tokens": {"bot": [BOT_USER]}, "event_ts": "1"}
    status, _ = await bot.send_event(revoked, event_id="EvR1", team="T0777")

    assert status == 200
    async with asyncio.timeout(5):
        while True:
            with sqlite3.connect(database) as db:
                if db.execute("SELECT count(*) FROM slack_bots").fetchone() == (0,):
                    break
            await asyncio.sleep(0.05)
