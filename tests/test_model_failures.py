"""Stories of the model failing, and what the user sees in the thread each time."""

from __future__ import annotations

import time

from tests import samples
from tests.conftest import World
from tests.emulators.reka import API_KEY, Fail, Reply, Silence


async def test_server_errors_are_retried_and_answered_once(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Fail(503), Fail(500), Reply("Recovered.")]

    question = await world.mention("are you there?")

    assert await world.answer_to(question) == "Recovered."
    assert world.reka.attempts == 3


async def test_retry_after_is_honoured(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Fail(429, {"detail": "rate limited"}, {"Retry-After": "1"}), Reply("Done.")]

    started = time.monotonic()
    question = await world.mention("hi")
    assert await world.answer_to(question) == "Done."
    assert time.monotonic() - started >= 1.0


async def test_a_model_that_stays_down_ends_in_a_clear_message(world: World) -> None:
    await world.start_bot(REKA_RETRY_SECONDS="1")
    world.reka.script = [Fail(503)] * 20

    question = await world.mention("hi")

    answer = await world.answer_to(question)
    assert "model service is not answering (HTTP 503)" in answer and "ask again later" in answer


async def test_a_bad_api_key_is_explained_without_showing_it(world: World) -> None:
    await world.start_bot(REKA_API_KEY="wrong-key-123")

    question = await world.mention("hi")

    answer = await world.answer_to(question)
    assert "rejected my API key" in answer and "`REKA_API_KEY`" in answer
    assert "wrong-key-123" not in answer and API_KEY not in answer
    assert world.reka.attempts == 1  # a bad key is not retried


async def test_a_refused_request_says_why(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Fail(400, {"error": {"type": "invalid_request", "message": "Too many images"}})]

    question = await world.mention("hi")

    assert "The model refused this request (HTTP 400): Too many images." in await world.answer_to(question)


async def test_a_silent_model_times_out_with_a_message(world: World) -> None:
    await world.start_bot(REKA_REQUEST_TIMEOUT_SECONDS="1")
    world.reka.script = [Silence(5)]

    question = await world.mention("hi")

    assert "didn't answer within 1 seconds" in await world.answer_to(question)


async def test_an_answer_that_stalls_keeps_what_was_written(world: World) -> None:
    await world.start_bot(REKA_REQUEST_TIMEOUT_SECONDS="1")
    world.reka.script = [Reply("First part. Second part.", pieces=2, stall_after=1)]

    question = await world.mention("hi")

    answer = await world.answer_to(question, count=2)
    assert answer.startswith("First part.") and "Second part" not in answer
    assert "didn't answer within 1 seconds" in answer


async def test_an_answer_whose_connection_drops_keeps_what_was_written(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("The first half. The second half.", pieces=2, gap=0.2, break_after=1)]

    question = await world.mention("hi")

    answer = await world.answer_to(question, count=2)
    assert answer.startswith("The first half") and "second half" not in answer
    assert (
        "The model's answer broke off (the connection was lost" in answer
        and "ask again for the rest" in answer
    )
    assert world.reka.attempts == 1  # text already shown is not asked for twice


async def test_the_request_goes_with_its_exact_length_not_chunked(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("a.png", samples.image("PNG"), "image/png"),
        world.slack.add_file("b.wav", samples.wav(), "audio/wav"),
    ]

    question = await world.mention("two files", files=files)

    await world.answer_to(question)
    assert world.reka.framing == [str(world.reka.body_bytes[-1])]


async def test_an_empty_answer_says_so(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("")]

    question = await world.mention("hi")

    assert await world.answer_to(question) == (
        ":warning: The model returned an empty answer. Please rephrase and ask again."
    )
