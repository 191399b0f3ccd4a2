"""What the bot writes to its log: the answer's context, as JSON when asked; never a secret."""

from __future__ import annotations

import json

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Reply


async def test_json_logs_carry_the_answers_context_and_no_secret(world: World) -> None:
    bot = await world.start_bot(LOG_FORMAT="json", LOG_LEVEL="INFO")
    world.reka.script = [Reply("four words of answer")]
    photo = world.slack.add_file("secret-plans.png", samples.image("PNG"), "image/png")

    question = await world.mention("what is this?", files=[photo])
    await world.answer_to(question)

    lines = [json.loads(line) for line in bot.log().splitlines() if line.startswith("{")]
    [answered] = [line for line in lines if line["message"].startswith("answered")]
    assert answered["channel"] == "C1" and answered["thread"] == question["ts"]
    assert answered["team"] == "T0001" and answered["event"].startswith("Ev")
    assert answered["files"] == 1 and answered["usage"]["output_tokens"] == 4
    assert isinstance(answered["seconds"], float)
    # The conftest checks every log for tokens and keys; what people wrote stays out of it too.
    assert "what is this?" not in bot.log()
