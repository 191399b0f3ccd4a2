"""Stories of people mentioning the bot in a channel."""

from __future__ import annotations

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Reply


async def test_a_photo_with_a_question_is_answered_in_a_new_thread(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("A cat.")]
    photo = world.slack.add_file("cat.jpg", samples.image("JPEG"), "image/jpeg")

    question = await world.mention("What animal is this? Answer briefly", files=[photo])

    assert await world.answer_to(question) == "A cat."
    request = world.reka.received[-1]
    assert request.model == "reka-flash" and request.stream
    [(role, parts)] = request.messages
    assert role == "user"
    assert [p.type for p in parts] == ["image_url", "text"]  # media before the text
    assert parts[0].mime == "image/jpeg" and parts[0].sniffed == "image/jpeg"
    assert parts[1].text == "What animal is this? Answer briefly"  # the mention token is gone
