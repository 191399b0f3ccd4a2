"""Stories of teams pointing the bot at the model they run: Reka's native API or any
OpenAI-compatible server, with what each model can read respected."""

from __future__ import annotations

from typing import Any

import pytest

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Fail, Received, Reply

ALL_MEDIA = ["image", "video", "audio", "pdf"]


def thread_files(world: World) -> list[dict[str, Any]]:
    return [
        world.slack.add_file("chart.png", samples.image("PNG"), "image/png"),
        world.slack.add_file("clip.mp4", samples.video(".mp4"), "video/mp4"),
        world.slack.add_file("memo.wav", samples.wav(), "audio/wav"),
        world.slack.add_file("report.pdf", samples.pdf(), "application/pdf"),
        world.slack.add_file("notes.py", b"print('hello')\n", "text/plain", filetype="python"),
    ]


@pytest.mark.parametrize("backend", ["reka", "openai"])
async def test_the_same_thread_with_every_kind_of_file_goes_through_either_backend(
    world: World, backend: str
) -> None:
    if backend == "openai":
        await world.start_bot(MODEL_PROFILES=world.openai_profile(accepts=ALL_MEDIA), DEFAULT_PROFILE="local")
        server = world.openai
    else:
        await world.start_bot()
        server = world.reka  # type: ignore[assignment]
    server.script = [Reply("Five files: a chart, a clip, a memo, a report and a script.", pieces=4)]
    parent = world.slack.post("C1", "our launch material", user="U2", files=thread_files(world)[:2])
    question = await world.mention(
        "what do these add up to?", thread_ts=parent["ts"], files=thread_files(world)[2:]
    )

    answer = await world.answer_to(question)

    assert answer == "Five files: a chart, a clip, a memo, a report and a script."
    request: Received = server.received[-1]
    assert request.model == ("qwen2.5-vl" if backend == "openai" else "reka-flash")
    assert [p.sniffed for p in request.media()] == [
        "image/png",
        "video/mp4",
        "audio/x-wav",
        "application/pdf",
    ]
    sent = {p.sniffed: p.data for p in request.media()}
    assert sent["application/pdf"] == samples.pdf() and sent["audio/x-wav"] == samples.wav()
    assert "print('hello')" in request.text() and "```python" in request.text()
    assert request.system and "#general" in request.system  # the system prompt names the channel
    assert server.rejected == []


async def test_an_openai_compatible_server_gets_each_kind_in_its_own_shape(world: World) -> None:
    await world.start_bot(MODEL_PROFILES=world.openai_profile(accepts=ALL_MEDIA), DEFAULT_PROFILE="local")
    question = await world.mention("compare", files=thread_files(world)[:4])
    await world.answer_to(question)

    [(role, parts)] = world.openai.received[-1].messages
    assert role == "user"
    assert [p.type for p in parts] == ["image_url", "video_url", "input_audio", "file", "text"]
    body = world.openai.received[-1].body
    audio = body["messages"][1]["content"][2]["input_audio"]
    assert audio["format"] == "wav" and not audio["data"].startswith(
        "data:"
    )  # bare base64, as the shape wants
    assert body["messages"][1]["content"][3]["file"]["filename"] == "report.pdf"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_a_local_server_without_a_key_and_images_only_by_default(world: World) -> None:
    world.openai.api_key = None  # like Ollama or llama.cpp's server
    profiles = world.openai_profile(api_key=None, model="llava")
    await world.start_bot(MODEL_PROFILES=profiles, DEFAULT_PROFILE="local", REKA_API_KEY="")  # no Reka at all
    world.openai.script = [Reply("A bar chart and a PDF I was not given.")]
    files = [thread_files(world)[0], thread_files(world)[3]]
    question = await world.mention("what is this?", files=files)

    answer = await world.answer_to(question)

    assert answer.startswith("A bar chart and a PDF I was not given.")
    assert "_I didn't send report.pdf to the model: `llava` can't read PDFs._" in answer
    assert [p.sniffed for p in world.openai.received[-1].media()] == ["image/png"]


async def test_a_text_only_model_gets_the_files_named_and_the_user_is_told_once(world: World) -> None:
    await world.start_bot(REKA_MODEL="reka-flash-3")
    world.reka.script = [Reply("I can only read text."), Reply("Still text only.")]
    photo = world.slack.add_file("photo.png", samples.image("PNG"), "image/png")
    question = await world.mention("what is in the photo?", files=[photo])

    answer = await world.answer_to(question)

    request = world.reka.received[-1]
    assert request.media() == []
    assert "[Attached file photo.png was left out: `reka-flash-3` can't read images.]" in request.text()
    note = "_I didn't send photo.png to the model: `reka-flash-3` can't read images._"
    assert answer == f"I can only read text.\n\n{note}"

    await world.mention("and now?", thread_ts=question["ts"])
    replies = await world.slack.wait_for_replies("C1", question["ts"], count=2)
    assert replies[-1]["markdown_text"] == "Still text only."  # told once per thread
    assert "photo.png was left out" in world.reka.received[-1].text()  # the model is told every time


async def test_reka_edge_takes_the_newest_three_images(world: World) -> None:
    await world.start_bot(REKA_MODEL="reka-edge")
    photos = [
        world.slack.add_file(f"p{n}.png", samples.image("PNG", color=color), "image/png")
        for n, color in enumerate(["red", "lime", "blue", "white"])
    ]
    question = await world.mention("spot the difference", files=photos)

    answer = await world.answer_to(question)

    assert len(world.reka.received[-1].media()) == 3
    assert "p0.png" in answer and "at most 3 images" in answer


async def test_reasoning_is_kept_out_of_the_answer(world: World) -> None:
    await world.start_bot(REKA_MODEL="reka-flash-3")
    world.reka.script = [Reply("<reasoning>2 and 2 make 4.</reasoning>\nIt is **4**.", pieces=9)]
    question = await world.mention("what is 2+2?")

    assert await world.answer_to(question) == "It is **4**."
    assert "is reasoning..." in world.slack.status_of("C1", question["ts"])


async def test_reasoning_can_be_shown_after_the_answer(world: World) -> None:
    profiles = world.openai_profile(model="deepseek-r1")
    await world.start_bot(MODEL_PROFILES=profiles, DEFAULT_PROFILE="local", SHOW_REASONING="true")
    world.openai.script = [Reply("It is 4.", reasoning="Two plus two.\nThat is four.")]
    question = await world.mention("what is 2+2?")

    answer = await world.answer_to(question)

    assert answer == "It is 4.\n\n*How I got there*\n> Two plus two.\n> That is four."


async def test_a_refused_key_names_the_profile_to_fix(world: World) -> None:
    profiles = world.openai_profile(api_key="sk-wrong-key")
    await world.start_bot(MODEL_PROFILES=profiles, DEFAULT_PROFILE="local")
    question = await world.mention("hello?")

    answer = await world.answer_to(question)

    assert "rejected my API key" in answer and "profile local in MODEL_PROFILES" in answer


async def test_an_openai_compatible_error_is_explained(world: World) -> None:
    await world.start_bot(MODEL_PROFILES=world.openai_profile(), DEFAULT_PROFILE="local")
    world.openai.script = [Fail(400, {"error": {"message": "image too large for this model", "type": "x"}})]
    question = await world.mention("what is this?", files=[thread_files(world)[0]])

    answer = await world.answer_to(question)

    assert "The model refused this request (HTTP 400): image too large for this model" in answer


async def test_a_long_thread_is_cut_to_the_models_context_oldest_first(world: World) -> None:
    profiles = world.openai_profile(context_tokens=1000, max_tokens=200)
    await world.start_bot(MODEL_PROFILES=profiles, DEFAULT_PROFILE="local")
    parent = world.slack.post("C1", "first question " + "old words " * 400, user="U1")
    world.slack.post("C1", "an old answer", user="UBOT", thread_ts=parent["ts"], bot_id="BBOT")
    question = await world.mention("the newest question", thread_ts=parent["ts"])

    await world.answer_to(question)

    [(role, parts)] = world.openai.received[-1].messages
    assert role == "user" and "the newest question" in (parts[-1].text or "")
    assert "Earlier messages of this thread were left out" in (parts[-1].text or "")
    assert "old words" not in world.openai.received[-1].text()
