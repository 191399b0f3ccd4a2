"""Starting the bot: a missing or malformed setting stops it with one line naming it."""

from __future__ import annotations

import asyncio
import sys

import pytest

from tests.conftest import World


async def run_bot(world: World, **overrides: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=world.workdir,
        env=world.env(**{"LOG_LEVEL": "WARNING", **overrides}),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(20):
        _, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, err.decode()


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"REKA_API_KEY": ""}, "bot: REKA_API_KEY is not set: see .env.example"),
        (
            {"REKA_API_KEY": "", "MODEL_PROFILES": '{"local": {"backend": "openai", "model": "llava"}}'},
            "bot: MODEL_PROFILES is malformed: profile local needs a base_url (the server's /v1 address)",
        ),
        (
            {
                "MODEL_PROFILES": '{"local": {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", '
                '"model": "m"}}',
                "DEFAULT_PROFILE": "locl",
            },
            "bot: DEFAULT_PROFILE locl is not a profile; set it to one of: local, reka",
        ),
        (
            {"MODEL_PROFILES": '{"x": {"model": "m", "colour": "red"}}'},
            "bot: MODEL_PROFILES_X_COLOUR is malformed: Extra inputs are not permitted",
        ),
        (
            {"SLACK_BOT_TOKEN": ""},
            "bot: SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install "
            "in many workspaces): see .env.example",
        ),
        (
            {"PORT": "eighty"},
            "bot: PORT is malformed: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user-token"},
            "bot: SLACK_BOT_TOKEN is malformed: must be a bot token starting with xoxb-",
        ),
        (
            {"SLACK_SIGNING_SECRET": ""},
            "bot: SLACK_SIGNING_SECRET is required over HTTP (or set SLACK_APP_TOKEN for Socket Mode)",
        ),
        ({"REKA_BASE_URL": "api.reka.ai"}, "bot: REKA_BASE_URL is malformed: must be an http(s) URL"),
        ({"SLACK_BOT_TOKEN": "xoxb-revoked"}, "bot: SLACK_BOT_TOKEN was refused by Slack: invalid_auth"),
    ],
)
async def test_a_bad_setting_stops_the_bot_with_one_line(
    world: World, overrides: dict[str, str], line: str
) -> None:
    code, err = await run_bot(world, **overrides)
    assert code == 2
    assert err.strip() == line


async def test_settings_are_read_from_a_dot_env_file(world: World) -> None:
    env = world.env()
    (world.workdir / ".env").write_text(f"REKA_API_KEY={env['REKA_API_KEY']}\n")
    await world.start_bot(REKA_API_KEY="")
    question = await world.mention("hi")
    assert await world.answer_to(question)
    assert world.reka.received
