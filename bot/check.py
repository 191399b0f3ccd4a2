"""`python -m bot check`: is this setup going to work? Each check says, in plain words,
what is right or what to change: the Slack token and its scopes against what the app's
manifest asks for, each model profile's key and model name, and the state store."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.app import slack_client
from bot.config import Settings
from bot.installations import BOT_SCOPES, Installations
from bot.models import WIRES
from bot.models.profiles import Profile
from bot.state import open_state


@dataclass(frozen=True)
class Result:
    ok: bool
    what: str


async def check(settings: Settings, out: TextIO) -> int:
    """Run every check, print one line each; 0 when all passed, 1 otherwise."""
    results: list[Result] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        results += await _slack(settings, session)
        for profile in settings.profiles().values():
            results.append(await _model(profile, session))
    results.append(await _state(settings))
    for result in results:
        out.write(f"{'ok  ' if result.ok else 'FAIL'}  {result.what}\n")
    failed = sum(not r.ok for r in results)
    out.write(
        "All good: start the bot with `python -m bot`.\n" if not failed else f"{failed} problem(s) found.\n"
    )
    return 1 if failed else 0


async def _slack(settings: Settings, session: aiohttp.ClientSession) -> list[Result]:
    problem = settings.slack_problem()
    if problem:
        return [Result(False, f"Slack: {problem}")]
    client = slack_client(settings, session)
    results = []
    if settings.oauth:
        try:
            installations = Installations(settings.database_url, settings.slack_client_id or "")
            await installations.create_tables()
            await installations.close()
            results.append(Result(True, "Slack: installs through OAuth (/slack/install); DATABASE_URL opens"))
        except Exception as err:  # any driver's error: say which, not a traceback
            results.append(Result(False, f"Slack: DATABASE_URL could not be opened: {_reason(err)}"))
    else:
        try:
            auth = await client.auth_test()
        except SlackApiError as err:
            return [
                Result(False, f"Slack: SLACK_BOT_TOKEN was refused by Slack: {err.response.get('error')}")
            ]
        except aiohttp.ClientError as err:
            return [
                Result(False, f"Slack: {settings.slack_api_url} could not be reached: {type(err).__name__}")
            ]
        results.append(Result(True, f"Slack: the token works, as @{auth.get('user')} in {auth.get('team')}"))
        granted = {s.strip() for s in str(auth.headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
        missing = [scope for scope in BOT_SCOPES if scope not in granted]
        if missing:
            results.append(
                Result(
                    False,
                    f"Slack: the token lacks scopes that manifest.yml asks for: {', '.join(missing)}. "
                    "Add them under OAuth & Permissions (or update the app from manifest.yml) and reinstall.",
                )
            )
        else:
            results.append(
                Result(True, f"Slack: the token has all {len(BOT_SCOPES)} scopes manifest.yml asks for")
            )
    if settings.slack_app_token is not None:
        try:
            await client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
            results.append(Result(True, "Slack: SLACK_APP_TOKEN opens Socket Mode connections"))
        except SlackApiError as err:
            results.append(Result(False, f"Slack: SLACK_APP_TOKEN was refused: {err.response.get('error')}"))
    return results


def _model_ids(payload: Any) -> list[str]:
    """Model ids from Reka's `[{"id"}]` or OpenAI's `{"data": [{"id"}]}`."""
    items = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return []
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


async def _model(profile: Profile, session: aiohttp.ClientSession) -> Result:
    name = f"Model profile {profile.name} ({profile.model} at {profile.base_url})"
    headers = WIRES[profile.backend].auth(profile.api_key.get_secret_value() if profile.api_key else None)
    try:
        async with session.get(profile.base_url.rstrip("/") + "/models", headers=headers) as resp:
            if resp.status in (401, 403):
                return Result(False, f"{name}: the API key was refused; check {profile.key_setting}")
            if resp.status != 200:
                return Result(False, f"{name}: GET /models answered HTTP {resp.status}")
            available = _model_ids(await resp.json(content_type=None))
    except (aiohttp.ClientError, TimeoutError) as err:
        return Result(False, f"{name}: the server could not be reached ({type(err).__name__})")
    except ValueError:
        return Result(False, f"{name}: GET /models did not answer JSON; is the base URL right (…/v1)?")
    if profile.model not in available:
        offered = ", ".join(available[:12]) or "none"
        return Result(False, f"{name}: this key can't use model {profile.model}; it can use: {offered}")
    kinds = ", ".join(sorted(k.value for k in profile.capabilities.accepts)) or "text only"
    return Result(True, f"{name}: the key works and the model is there (reads: {kinds})")


async def _state(settings: Settings) -> Result:
    where = "REDIS_URL" if settings.redis_url else f"STATE_PATH ({settings.state_path})"
    try:
        state = open_state(settings.state_path, settings.redis_url)
        try:
            await state.put("check", str(time.time()))
            await state.get("check")
        finally:
            await state.close()
    except Exception as err:  # sqlite3 or Redis: say which and why
        return Result(False, f"State store: {where} can't be written: {_reason(err)}")
    return Result(True, f"State store: {where} reads and writes")


def _reason(err: Exception) -> str:
    """The error's kind and first line, with any password in a URL left out."""
    lines = re.sub(r"://[^/@\s]+@", "://…@", str(err)).splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else 'no detail'}"


def main(settings: Settings) -> int:
    return asyncio.run(check(settings, sys.stdout))
