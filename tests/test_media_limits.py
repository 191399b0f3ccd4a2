"""Files within bounds: caps per kind, a budget per request, downloads in parallel and once."""

from __future__ import annotations

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Reply

MB = 1024 * 1024


async def test_a_follow_up_downloads_nothing_again(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("a.heic", samples.image("HEIF"), "image/heic"),
        world.slack.add_file("b.mp4", samples.video(".mp4"), "video/mp4"),
    ]
    first = await world.mention("what are these?", files=files)
    await world.answer_to(first)
    assert len(world.slack.downloads) == 2

    for turn in range(2, 5):
        follow_up = await world.mention(f"question {turn}", thread_ts=first["ts"])
        await world.answer_to(follow_up, count=turn)

    assert len(world.slack.downloads) == 2  # turns 2 to 4 re-used what was fetched and converted
    assert [p.mime for p in world.reka.received[-1].media()] == ["image/jpeg", "video/mp4"]


async def test_the_disk_cache_serves_a_restarted_bot(world: World) -> None:
    cache_dir = str(world.workdir / "media-cache")
    bot = await world.start_bot(MEDIA_CACHE_DIR=cache_dir)
    photo = world.slack.add_file("a.png", samples.image("PNG"), "image/png")
    first = await world.mention("what is this?", files=[photo])
    await world.answer_to(first)
    await bot.stop()

    await world.start_bot(MEDIA_CACHE_DIR=cache_dir)  # a new process, as after a deploy
    follow_up = await world.mention("and again?", thread_ts=first["ts"])
    await world.answer_to(follow_up, count=2)

    assert len(world.slack.downloads) == 1
    assert [p.mime for p in world.reka.received[-1].media()] == ["image/png"]


async def test_each_kind_has_its_own_cap(world: World) -> None:
    await world.start_bot(MAX_VIDEO_BYTES=str(1 * MB), MAX_PDF_BYTES=str(10 * MB))
    world.reka.script = [Reply("I read the PDF.")]
    # Slack understates the video's size; the cap is applied while reading it.
    video = world.slack.add_file(
        "long.mp4", samples.video(".mp4") + b"\0" * (48 * MB), "video/mp4", size=1000
    )
    pdf = world.slack.add_file("doc.pdf", samples.pdf() + b"\n%" + b"x" * (2 * MB), "application/pdf")

    question = await world.mention("summarise", files=[video, pdf])

    answer = await world.answer_to(question)
    assert "couldn't read long.mp4: it is larger than the 1 MB I read" in answer
    assert [p.type for p in world.reka.received[-1].media()] == ["pdf_url"]
    video_download = next(d for d in world.slack.downloads if "long.mp4" in d.path)
    assert not video_download.completed and video_download.bytes_sent < 24 * MB  # reading stopped


async def test_over_the_media_budget_the_newest_files_win(world: World) -> None:
    await world.start_bot(MEDIA_MAX_COUNT="2")
    parent = world.slack.post(
        "C1",
        "old photo",
        user="U1",
        files=[world.slack.add_file("old.png", samples.image("PNG", color="red"), "image/png")],
    )
    world.slack.post(
        "C1",
        "middle photo",
        user="U1",
        thread_ts=parent["ts"],
        files=[world.slack.add_file("mid.png", samples.image("PNG", color="lime"), "image/png")],
    )

    question = await world.mention(
        "compare the latest",
        thread_ts=parent["ts"],
        files=[world.slack.add_file("new.png", samples.image("PNG", color="blue"), "image/png")],
    )

    await world.answer_to(question)
    request = world.reka.received[-1]
    assert len(request.media()) == 2
    assert (
        "[Attached file old.png was left out: one request takes at most 2 files; newer ones were kept.]"
        in (request.text())
    )


async def test_the_files_of_a_message_download_in_parallel(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file(f"p{n}.png", samples.image("PNG", color="red"), "image/png") for n in range(4)
    ]
    for file in files:
        world.slack.slow_files[file["id"]] = 0.5

    question = await world.mention("four photos", files=files)

    await world.answer_to(question)
    assert world.slack.most_downloads_at_once == 4
    assert len(world.reka.received[-1].media()) == 4
