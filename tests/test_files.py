"""Stories about downloading the files people share: scopes, sizes, hosts."""

from __future__ import annotations

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Reply
from tests.emulators.slack import BOT_TOKEN, SIGN_IN_PAGE, ForeignHost

MB = 1024 * 1024


async def test_a_missing_files_read_scope_tells_the_user_what_to_fix(world: World) -> None:
    await world.start_bot()
    world.slack.scopes.discard("files:read")  # Slack then answers downloads with its sign-in page
    photo = world.slack.add_file("cat.jpg", samples.image(), "image/jpeg")

    question = await world.mention("what is this?", files=[photo])

    answer = await world.answer_to(question)
    assert "sign-in page" in answer and "`files:read`" in answer and "cat.jpg" in answer
    assert world.slack.downloads[0].completed  # the page was read, not the file
    assert world.reka.attempts == 0  # no answer pretends the image was seen


async def test_a_file_larger_than_slack_said_is_cut_off_while_streaming(world: World) -> None:
    await world.start_bot(MAX_FILE_BYTES=str(1 * MB))
    world.reka.script = [Reply("I read your question.")]
    huge = world.slack.add_file("huge.mp4", None, "video/mp4", size=500 * 1024, generated_size=200 * MB)

    question = await world.mention("watch this", files=[huge])

    answer = await world.answer_to(question)
    assert answer.startswith("I read your question.")
    assert "couldn't read huge.mp4" in answer and "larger than the 1 MB" in answer
    [download] = world.slack.downloads
    assert not download.completed and download.bytes_sent < 50 * MB  # the bot stopped reading
    assert "[Attached file huge.mp4 was not read" in world.reka.received[-1].text()


async def test_a_file_slack_declares_too_large_is_not_downloaded(world: World) -> None:
    await world.start_bot(MAX_FILE_BYTES=str(1 * MB))
    big = world.slack.add_file("big.pdf", None, "application/pdf", generated_size=3 * MB)

    question = await world.mention("summarise", files=[big])

    assert "couldn't read big.pdf: it is larger than the 1 MB I read" in await world.answer_to(question)
    assert world.slack.downloads == []


async def test_the_token_never_goes_to_a_host_that_is_not_slack(world: World) -> None:
    foreign = ForeignHost(samples.image("PNG"), "image/png")
    await foreign.start()
    try:
        await world.start_bot()
        # A file whose link points elsewhere, and a Slack link that redirects elsewhere.
        direct = world.slack.add_file(
            "elsewhere.png", None, "image/png", url_private=f"{foreign.base}/a.png", url_private_download=None
        )
        world.slack.redirects["r1"] = f"{foreign.base}/b.png"
        redirected = world.slack.add_file(
            "moved.png",
            None,
            "image/png",
            url_private=f"{world.slack.base}/redirect/r1",
            url_private_download=None,
        )

        question = await world.mention("compare", files=[direct, redirected])

        await world.answer_to(question)
    finally:
        await foreign.stop()
    assert len(foreign.requests) == 2
    assert all("Authorization" not in headers for headers in foreign.requests)
    assert all(BOT_TOKEN not in str(headers) for headers in foreign.requests)
    assert [p.mime for p in world.reka.received[-1].media()] == ["image/png", "image/png"]


async def test_external_and_deleted_files_are_reported_not_fetched(world: World) -> None:
    await world.start_bot()
    external = world.slack.add_file(
        "design.gdoc",
        None,
        "application/vnd.google-apps.document",
        mode="external",
        is_external=True,
        url_private="https://docs.example/x",
    )
    gone = world.slack.add_file("old.png", None, "image/png", mode="tombstone")

    question = await world.mention("what do these say?", files=[external, gone])

    answer = await world.answer_to(question)
    assert "couldn't read design.gdoc: it is stored outside Slack" in answer
    assert "couldn't read old.png: it was deleted" in answer
    assert world.slack.downloads == []


async def test_a_redirect_to_the_sign_in_page_is_recognised(world: World) -> None:
    sign_in = ForeignHost(SIGN_IN_PAGE, "text/html")
    await sign_in.start()
    try:
        await world.start_bot()
        world.slack.redirects["login"] = f"{sign_in.base}/?redir=%2Ffiles-pri%2Fcat.jpg"
        photo = world.slack.add_file(
            "cat.jpg",
            None,
            "image/jpeg",
            url_private=f"{world.slack.base}/redirect/login",
            url_private_download=None,
        )

        question = await world.mention("what is this?", files=[photo])

        assert "`files:read`" in await world.answer_to(question)
    finally:
        await sign_in.stop()
    assert all("Authorization" not in headers for headers in sign_in.requests)


async def test_a_download_that_hangs_is_given_up_on(world: World) -> None:
    await world.start_bot(DOWNLOAD_TIMEOUT_SECONDS="1")
    world.reka.script = [Reply("Without the file: hello.")]
    slow = world.slack.add_file("slow.png", samples.image("PNG"), "image/png")
    world.slack.slow_files[slow["id"]] = 5

    question = await world.mention("hello", files=[slow])

    answer = await world.answer_to(question)
    assert answer.startswith("Without the file: hello.")
    assert "couldn't read slow.png: downloading it took longer than 1 s" in answer
