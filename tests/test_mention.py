"""Stories of people mentioning the bot in a channel."""

from __future__ import annotations

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Reply
from tests.emulators.slack import BOT_USER


async def test_a_photo_with_a_question_is_answered_in_a_new_thread(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("A cat.")]
    photo = world.slack.add_file("cat.jpg", samples.image("JPEG"), "image/jpeg")

    question = await world.mention("What animal is this? Answer briefly", files=[photo])

    assert await world.answer_to(question) == "A cat."
    reply = world.slack.bot_replies("C1", question["ts"])[0]
    assert reply["thread_ts"] == question["ts"]  # a top-level mention starts a thread under it
    request = world.reka.received[-1]
    assert request.model == "reka-flash" and request.stream
    [(role, parts)] = request.messages
    assert role == "user"
    assert [p.type for p in parts] == ["image_url", "text"]  # media before the text
    assert parts[0].mime == "image/jpeg" and parts[0].sniffed == "image/jpeg"
    assert parts[1].text == "What animal is this? Answer briefly"  # the mention token is gone


async def test_a_follow_up_carries_the_earlier_question_answer_and_files(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("A cat."), Reply("Orange.")]
    photo = world.slack.add_file("cat.jpg", samples.image("JPEG"), "image/jpeg")
    first = await world.mention("What animal is this?", files=[photo])
    await world.answer_to(first)

    follow_up = await world.mention("What colour is it?", thread_ts=first["ts"])

    assert await world.answer_to(follow_up, count=2) == "A cat.\n\nOrange."
    request = world.reka.received[-1]
    assert [role for role, _ in request.messages] == ["user", "assistant", "user"]
    first_turn, answer_turn, last_turn = (parts for _, parts in request.messages)
    assert [p.type for p in first_turn] == ["image_url", "text"]
    assert answer_turn[0].text == "A cat."
    assert [p.text for p in last_turn] == ["What colour is it?"]


async def test_a_mention_inside_an_existing_thread_is_answered_there(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Tuesday works.")]
    parent = world.slack.post("C1", "Planning the offsite", user="U2")
    world.slack.post("C1", "How about Tuesday?", user="U3", thread_ts=parent["ts"])

    question = await world.mention("does Tuesday work?", thread_ts=parent["ts"])

    assert await world.answer_to(question) == "Tuesday works."
    [(_, parts)] = world.reka.received[-1].messages  # three people's messages merge into one turn
    text = parts[0].text or ""
    assert "Ben: Planning the offsite" in text  # several people: each is named
    assert "Chloe: How about Tuesday?" in text
    assert text.endswith("Ana: does Tuesday work?")


async def test_several_images_in_one_message_all_reach_the_model(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("a.jpg", samples.image("JPEG", color="red"), "image/jpeg"),
        world.slack.add_file("b.png", samples.image("PNG", color="blue"), "image/png"),
        world.slack.add_file("c.png", samples.image("PNG", (10, 10)), "image/png"),
    ]

    question = await world.mention("Which one is different?", files=files)

    await world.answer_to(question)
    parts = world.reka.received[-1].messages[-1][1]
    assert [(p.type, p.mime) for p in parts] == [
        ("image_url", "image/jpeg"),
        ("image_url", "image/png"),
        ("image_url", "image/png"),
        ("text", None),
    ]


async def test_every_media_kind_becomes_its_own_part(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("photo.png", samples.image("PNG"), "image/png"),
        world.slack.add_file("clip.mp4", samples.mp4(), "video/mp4"),
        world.slack.add_file("voice.wav", samples.wav(), "audio/wav"),
        world.slack.add_file("report.pdf", samples.pdf(), "application/pdf"),
    ]

    question = await world.mention("Summarise all of these", files=files)

    await world.answer_to(question)
    media = world.reka.received[-1].media()
    assert [(p.type, p.mime, p.sniffed) for p in media] == [
        ("image_url", "image/png", "image/png"),
        ("video_url", "video/mp4", "video/mp4"),
        ("audio_url", "audio/wav", "audio/x-wav"),
        ("pdf_url", "application/pdf", "application/pdf"),
    ]
    assert [p.size for p in media] == [
        len(samples.image("PNG")),
        len(samples.mp4()),
        len(samples.wav()),
        len(samples.pdf()),
    ]


async def test_a_file_the_model_cannot_read_is_named_to_the_model_and_the_user(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Here is what I can see.")]
    archive = world.slack.add_file("logs.zip", b"PK\x03\x04" + b"\0" * 100, "application/zip")

    question = await world.mention("What is in here?", files=[archive])

    answer = await world.answer_to(question)
    assert answer.startswith("Here is what I can see.")
    assert "logs.zip" in answer  # the user is told it was left out
    request = world.reka.received[-1]
    assert request.media() == []
    assert "[Attached file logs.zip was not read" in request.text()


async def test_the_media_type_comes_from_the_bytes_not_from_slack(world: World) -> None:
    await world.start_bot()
    odd = world.slack.add_file("scan.bin", samples.image("PNG"), "application/octet-stream")

    question = await world.mention("what is this?", files=[odd])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    assert (part.type, part.mime) == ("image_url", "image/png")


async def test_other_bots_joins_edits_and_deletions_do_not_derail_the_thread(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("The deploy failed on step 3.")]
    parent = world.slack.post(
        "C1", "Deploy #42 failed at step 3", user=None, subtype="bot_message", bot_id="BCI", username="ci-bot"
    )
    world.slack.post(
        "C1", "<@U2> has joined the channel", user="U2", subtype="channel_join", thread_ts=parent["ts"]
    )
    world.slack.post(
        "C1", "This message was deleted.", user=None, subtype="tombstone", thread_ts=parent["ts"]
    )
    world.slack.post(
        "C1", "looking (edited)", user="U2", thread_ts=parent["ts"], edited={"user": "U2", "ts": "1"}
    )
    world.slack.post(
        "C1", "", user="U3", thread_ts=parent["ts"], bot_id="BOTHER", bot_profile={"name": "standup"}
    )

    question = await world.mention("what happened here?", thread_ts=parent["ts"])

    assert await world.answer_to(question) == "The deploy failed on step 3."
    [(_, parts)] = world.reka.received[-1].messages
    text = parts[0].text or ""
    assert "ci-bot: Deploy #42 failed at step 3" in text
    assert "joined" not in text and "deleted" not in text
    assert text.endswith("what happened here?")


async def test_a_long_thread_is_read_across_pages(world: World) -> None:
    await world.start_bot()
    world.slack.page_size = 5
    parent = world.slack.post("C1", "message 0", user="U1")
    for n in range(1, 12):
        world.slack.post("C1", f"message {n}", user="U1", thread_ts=parent["ts"])

    question = await world.mention("count the messages", thread_ts=parent["ts"])

    await world.answer_to(question)
    text = world.reka.received[-1].text()
    assert all(f"message {n}" in text for n in range(12))
    assert len(world.slack.called("conversations.replies")) >= 3
    assert BOT_USER not in text


async def test_a_mention_with_nothing_to_ask_gets_a_hint(world: World) -> None:
    await world.start_bot()

    question = await world.mention("")

    assert "didn't find a question" in await world.answer_to(question)
    assert world.reka.received == []
