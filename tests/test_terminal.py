"""Stories of an admin trying the bot from a terminal before touching Slack: `ask` runs
the same pipeline on local files, `check` says whether the setup will work."""

from __future__ import annotations

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Reply
from tests.emulators.slack import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET


async def test_ask_sends_local_files_as_the_same_parts_and_streams_the_answer(world: World) -> None:
    (world.workdir / "chart.png").write_bytes(samples.image("PNG"))
    (world.workdir / "report.pdf").write_bytes(samples.pdf())
    (world.workdir / "notes.md").write_text("# Notes\nShip on Friday.\n")
    world.reka.script = [Reply("The chart rises; the report agrees; ship Friday.", pieces=5)]

    code, out, err = await world.run(
        "ask", "chart.png", "report.pdf", "notes.md", "--", "does", "this", "add", "up?", LOG_LEVEL="INFO"
    )

    assert code == 0, err
    assert out == "The chart rises; the report agrees; ship Friday.\n"
    assert "(reka: reka-flash)" in err and "input tokens" in err
    [(role, parts)] = world.reka.received[-1].messages
    assert role == "user"
    assert [p.type for p in parts] == ["image_url", "pdf_url", "text"]
    assert parts[1].data == samples.pdf()
    assert "Ship on Friday." in (parts[2].text or "") and (parts[2].text or "").endswith("does this add up?")
    assert "a terminal" in (world.reka.received[-1].system or "")


async def test_ask_tries_another_profile_and_names_what_the_model_cant_read(world: World) -> None:
    (world.workdir / "memo.wav").write_bytes(samples.wav())
    (world.workdir / "photo.jpg").write_bytes(samples.image("JPEG"))
    world.openai.script = [Reply("A photo.", reasoning="Only one picture came.")]

    code, out, err = await world.run(
        "ask", "memo.wav", "photo.jpg", "--profile", "local", "--show-reasoning", "--", "what is here?",
        MODEL_PROFILES=world.openai_profile(),
    )  # fmt: skip

    assert code == 0, err
    assert out == "A photo.\n"
    assert "note: memo.wav was not sent: `qwen2.5-vl` can't read audio" in err
    assert "Only one picture came." in err
    assert [p.type for p in world.openai.received[-1].media()] == ["image_url"]


async def test_ask_without_slack_settings_and_with_a_failing_model(world: World) -> None:
    code, out, err = await world.run(
        "ask", "--", "hi", SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET="", REKA_API_KEY="nope"
    )
    assert code == 1 and out.strip() == ""
    assert "error: The model API rejected my API key" in err and "REKA_API_KEY" in err

    code, _, err = await world.run("ask", "missing.png", "--", "hi")
    assert code == 2 and "missing.png is not a file" in err
    code, _, err = await world.run("ask", "--", SLACK_BOT_TOKEN="")
    assert code == 2 and 'put the question after "--"' in err
    code, _, err = await world.run("ask", "--profile", "locl", "--", "hi")
    assert code == 2 and "error: there is no profile locl; there are: reka" in err
    assert world.reka.attempts == 1  # only the first, refused, question reached the model


async def test_check_passes_on_a_good_setup(world: World) -> None:
    code, out, _ = await world.run("check", MODEL_PROFILES=world.openai_profile())
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "ok    Slack: the token works, as @reka in Emulated"
    assert (
        lines[1].startswith("ok    Slack: the token has all") and "scopes manifest.yml asks for" in lines[1]
    )
    assert any(line.startswith("ok    Model profile reka (reka-flash at ") for line in lines)
    assert any(line.startswith("ok    Model profile local (qwen2.5-vl at ") for line in lines)
    assert any(line.startswith("ok    State store: STATE_PATH") for line in lines)
    assert lines[-1] == "All good: start the bot with `python -m bot`."


async def test_check_says_what_is_wrong_in_plain_words(world: World) -> None:
    world.slack.scopes -= {"files:read", "channels:read"}
    code, out, _ = await world.run(
        "check",
        REKA_MODEL="reka-ultra",
        MODEL_PROFILES=world.openai_profile(api_key="sk-wrong"),
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert code == 1
    assert "FAIL  Slack: the token lacks scopes that manifest.yml asks for: channels:read, files:read." in out
    assert (
        "this key can't use model reka-ultra; it can use: reka-core, reka-flash, reka-flash-3, reka-edge"
        in out
    )
    assert (
        "Model profile local (qwen2.5-vl at" in out
        and "the API key was refused; check the api_key of profile local" in out
    )
    assert "FAIL  State store: REDIS_URL can't be written: ConnectionError" in out
    assert out.splitlines()[-1] == "4 problem(s) found."


async def test_check_names_a_refused_slack_token(world: World) -> None:
    code, out, _ = await world.run("check", SLACK_BOT_TOKEN="xoxb-revoked-0000")
    assert code == 1
    assert "FAIL  Slack: SLACK_BOT_TOKEN was refused by Slack: invalid_auth" in out


async def test_check_for_many_workspaces_opens_the_install_database(world: World) -> None:
    code, out, _ = await world.run(
        "check",
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        DATABASE_URL=f"sqlite:///{world.workdir / 'installs.sqlite3'}",
    )
    assert code == 0, out
    assert out.splitlines()[0] == "ok    Slack: installs through OAuth (/slack/install); DATABASE_URL opens"

    code, out, _ = await world.run(
        "check",
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        DATABASE_URL="sqlite:////nonexistent-dir/installs.sqlite3",
    )
    assert code == 1 and out.startswith("FAIL  Slack: DATABASE_URL could not be opened: OperationalError")
