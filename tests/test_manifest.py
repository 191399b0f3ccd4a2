"""`manifest.yml` creates an app Slack accepts, with what the code relies on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.installations import BOT_SCOPES
from handlers.command import COMMAND
from handlers.shortcut import CALLBACK_ID as SHORTCUT
from tests.emulators.slack import ALL_SCOPES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).parent / "data" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def test_the_manifest_is_valid_for_slack() -> None:
    jsonschema.validate(manifest(), json.loads(SCHEMA.read_text()))


def test_the_schema_catches_a_broken_manifest() -> None:
    broken = manifest()
    broken["features"]["slash_commands"][0]["command"] = "reka without a slash"
    try:
        jsonschema.validate(broken, json.loads(SCHEMA.read_text()))
    except jsonschema.ValidationError as err:
        assert "does not match" in err.message
    else:
        raise AssertionError("a command without a slash passed the schema")


def test_the_manifest_asks_for_what_the_bot_uses() -> None:
    m = manifest()
    assert [c["command"] for c in m["features"]["slash_commands"]] == [COMMAND]
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",
        "assistant_thread_started",
        "assistant_thread_context_changed",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert sorted(m["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)  # what OAuth installs ask for
    assert [s["callback_id"] for s in m["features"]["shortcuts"]] == [SHORTCUT]
    assert m["features"]["assistant_view"]["assistant_description"]
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    # Every scope the Slack emulator checks is one the app asks for.
    assert set(m["oauth_config"]["scopes"]["bot"]) >= ALL_SCOPES
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True
