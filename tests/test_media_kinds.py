"""Every kind of file people share reaches the model as the right part (README's table)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Part

KINDS = [
    # (file name, Slack's mimetype, bytes, part type, MIME the model gets)
    ("photo.jpg", "image/jpeg", lambda: samples.image("JPEG"), "image_url", "image/jpeg"),
    ("shot.png", "image/png", lambda: samples.image("PNG"), "image_url", "image/png"),
    ("still.gif", "image/gif", lambda: samples.image("GIF"), "image_url", "image/gif"),
    ("pic.webp", "image/webp", lambda: samples.image("WEBP"), "image_url", "image/webp"),
    ("iphone.heic", "image/heic", lambda: samples.image("HEIF"), "image_url", "image/jpeg"),
    ("scan.tiff", "image/tiff", lambda: samples.image("TIFF"), "image_url", "image/jpeg"),
    ("paint.bmp", "image/bmp", lambda: samples.image("BMP"), "image_url", "image/jpeg"),
    (
        "logo.png",
        "image/png",
        lambda: samples.image("PNG", mode="RGBA", color=(0, 0, 0, 0)),
        "image_url",
        "image/png",
    ),
    ("clip.mp4", "video/mp4", lambda: samples.video(".mp4"), "video_url", "video/mp4"),
    ("screen.mov", "video/quicktime", lambda: samples.video(".mov"), "video_url", "video/quicktime"),
    ("demo.webm", "video/webm", lambda: samples.video(".webm"), "video_url", "video/webm"),
    ("song.mp3", "audio/mpeg", lambda: samples.audio(".mp3"), "audio_url", "audio/mpeg"),
    ("memo.m4a", "audio/x-m4a", lambda: samples.audio(".m4a"), "audio_url", "audio/mp4"),
    ("tone.wav", "audio/wav", samples.wav, "audio_url", "audio/wav"),
    ("note.ogg", "audio/ogg", lambda: samples.audio(".ogg"), "audio_url", "audio/ogg"),
    ("audio_message.webm", "audio/webm", lambda: samples.audio(".webm"), "audio_url", "audio/webm"),
    (
        "audio_message.mp4",
        "video/mp4",
        lambda: samples.audio(".mp4"),
        "audio_url",
        "audio/mp4",
    ),  # a voice clip
    ("report.pdf", "application/pdf", samples.pdf, "pdf_url", "application/pdf"),
]


@pytest.mark.parametrize(
    ("name", "slack_mime", "make", "part_type", "mime"), KINDS, ids=[k[0] for k in KINDS]
)
async def test_each_kind_arrives_as_the_right_part(
    world: World, name: str, slack_mime: str, make: object, part_type: str, mime: str
) -> None:
    await world.start_bot()
    assert callable(make)
    content: bytes = make()
    shared = world.slack.add_file(name, content, slack_mime)

    question = await world.mention("what is this?", files=[shared])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    assert (part.type, part.mime) == (part_type, mime)
    if part.type == "image_url":
        assert Image.open(io.BytesIO(part.data)).size == Image.open(io.BytesIO(content)).size
    else:
        assert part.data == content  # audio, video and PDF go as they are


def picture(part: Part) -> Image.Image:
    return Image.open(io.BytesIO(part.data))


async def test_a_large_photo_is_scaled_down_to_the_edge_limit(world: World) -> None:
    await world.start_bot(IMAGE_MAX_EDGE="1024")
    big = world.slack.add_file("panorama.png", samples.image("PNG", (3000, 1500), "teal"), "image/png")

    question = await world.mention("describe", files=[big])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    assert picture(part).size == (1024, 512)
    assert "scaled down from 3000x1500 to 1024x512" in world.reka.received[-1].text()


async def test_a_photo_over_the_byte_limit_is_made_smaller(world: World) -> None:
    await world.start_bot(IMAGE_MAX_BYTES=str(100 * 1024))
    noisy = Image.effect_noise((1600, 1600), 100).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert out.tell() > 1024 * 1024
    shared = world.slack.add_file("noise.png", out.getvalue(), "image/png")

    question = await world.mention("describe", files=[shared])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    assert part.size <= 100 * 1024 and part.mime == "image/jpeg"


async def test_exif_orientation_is_applied(world: World) -> None:
    await world.start_bot()
    sideways = world.slack.add_file("phone.jpg", samples.rotated_jpeg((60, 40)), "image/jpeg")

    question = await world.mention("which way up?", files=[sideways])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    assert picture(part).size == (40, 60)


async def test_an_animated_gif_becomes_its_first_frame(world: World) -> None:
    await world.start_bot()
    gif = world.slack.add_file("dance.gif", samples.animated_gif(), "image/gif")

    question = await world.mention("what is this?", files=[gif])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    frame = picture(part)
    assert part.mime == "image/jpeg" and getattr(frame, "n_frames", 1) == 1
    r, g, b = frame.convert("RGB").getpixel((16, 16))  # type: ignore[misc]
    assert r > 200 and g < 60 and b < 60  # the first frame is the red one
    assert "first frame of an animation" in world.reka.received[-1].text()


async def test_bytes_that_contradict_the_name_are_believed(world: World) -> None:
    await world.start_bot()
    liar = world.slack.add_file("picture.png", samples.image("JPEG"), "image/png")

    question = await world.mention("what is it?", files=[liar])

    await world.answer_to(question)
    [part] = world.reka.received[-1].media()
    assert part.mime == "image/jpeg"


async def test_text_and_code_files_go_in_as_fenced_text(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("notes.md", b"# Title\n\n- point", "text/markdown", filetype="markdown"),
        world.slack.add_file("data.csv", b"a,b\n1,2\n", "text/csv", filetype="csv"),
        world.slack.add_file("config.json", b'{"debug": true}', "application/json", filetype="json"),
        world.slack.add_file(
            "Untitled", b"def add(a, b):\n    return a + b\n", "text/plain", mode="snippet", filetype="python"
        ),
    ]

    question = await world.mention("review these", files=files)

    await world.answer_to(question)
    request = world.reka.received[-1]
    assert request.media() == []
    text = request.text()
    assert "File notes.md:\n```markdown\n# Title\n\n- point\n```" in text
    assert "File data.csv:\n```csv\na,b\n1,2\n\n```" in text
    assert 'File config.json:\n```json\n{"debug": true}\n```' in text
    assert "File Untitled:\n```python\ndef add(a, b):\n    return a + b\n\n```" in text


async def test_a_long_text_file_is_cut_with_a_note(world: World) -> None:
    await world.start_bot(MAX_TEXT_CHARS="1000")
    log_file = world.slack.add_file(
        "server.log", b"line of log output\n" * 500, "text/plain", filetype="text"
    )

    question = await world.mention("any errors?", files=[log_file])

    await world.answer_to(question)
    text = world.reka.received[-1].text()
    assert "[The file was cut here: 8500 more characters were not included.]" in text
    assert text.count("line of log output") == 1000 // len("line of log output\n")  # 52 whole lines, then cut


async def test_other_files_are_named_and_the_user_is_told_once(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("archive.zip", b"PK\x03\x04" + b"\0" * 64, "application/zip"),
        world.slack.add_file("app.exe", b"MZ\x90\x00" + b"\0" * 64, "application/x-msdownload"),
    ]
    first = await world.mention("what are these?", files=files)
    answer = await world.answer_to(first)
    assert "I can't read files like archive.zip" in answer and "I can't read files like app.exe" in answer
    assert "[Attached file archive.zip was not read" in world.reka.received[-1].text()

    follow_up = await world.mention("and now?", thread_ts=first["ts"])
    replies = await world.slack.wait_for_replies("C1", first["ts"], count=2)
    assert "archive.zip" not in replies[-1]["markdown_text"]  # told once per thread
    assert (
        "[Attached file archive.zip was not read" in world.reka.received[-1].text()
    )  # the model still knows
    assert follow_up


async def test_a_slack_connect_file_is_resolved_with_files_info(world: World) -> None:
    await world.start_bot()
    stored = world.slack.add_file("shared.png", samples.image("PNG"), "image/png")
    shell = {"id": stored["id"], "file_access": "check_file_info", "mode": "file_access"}

    question = await world.mention("from the partner channel", files=[shell])

    await world.answer_to(question)
    assert [c["file"] for c in world.slack.called("files.info")] == [stored["id"]]
    assert [p.mime for p in world.reka.received[-1].media()] == ["image/png"]


async def test_a_file_hidden_by_the_plan_limit_is_reported(world: World) -> None:
    await world.start_bot()
    hidden = {"id": "F9999", "name": "old.png", "mode": "hidden_by_limit"}

    question = await world.mention("what was this?", files=[hidden])

    assert "couldn't read old.png: the workspace's plan hides it" in await world.answer_to(question)


async def test_a_broken_image_gets_a_message_not_a_crash(world: World) -> None:
    await world.start_bot()
    broken = world.slack.add_file("broken.jpg", samples.image("JPEG")[:200], "image/jpeg")
    fine = world.slack.add_file("fine.pdf", samples.pdf(), "application/pdf")

    question = await world.mention("look", files=[broken, fine])

    answer = await world.answer_to(question)
    assert "couldn't read broken.jpg: it looks like an image but could not be opened" in answer
    assert [p.type for p in world.reka.received[-1].media()] == ["pdf_url"]


async def test_a_slack_connect_file_slack_wont_describe_is_reported(world: World) -> None:
    await world.start_bot()
    world.slack.refuse["files.info"] = "file_not_found"
    shell = {"id": "F0404", "name": "partner.png", "file_access": "check_file_info", "mode": "file_access"}

    question = await world.mention("from the partner channel", files=[shell])

    assert "couldn't read partner.png: Slack would not say where it is stored" in await world.answer_to(
        question
    )
    assert world.slack.downloads == []
