"""`python -m bot ask FILE... -- "question"`: the bot's pipeline without Slack.

Local files become the same attachments a Slack thread's files become (identified by
their bytes, images converted and shrunk), go through the chosen profile's limits, and
the answer streams to the terminal. Notes on files left out go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import locale
import sys
from pathlib import Path
from typing import TextIO

import aiohttp

from bot import conversation, images, instructions
from bot.app import models
from bot.config import Settings
from bot.failures import Failure
from bot.files import SlackFile
from bot.media import Attachment, Kind
from bot.reasoning import without_reasoning
from bot.thread import ThreadMessage


def parse(argv: list[str]) -> argparse.Namespace:
    """Options and files before `--`, the question after it."""
    before, question = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    parser = argparse.ArgumentParser(
        prog="python -m bot ask",
        description="Ask the configured model about local files, as the bot would in Slack.",
        epilog='Example: python -m bot ask chart.png notes.pdf -- "What changed since last week?"',
    )
    parser.add_argument("files", nargs="*", type=Path, help="images, video, audio, PDFs, text or code")
    parser.add_argument("--profile", help="a model profile (default: DEFAULT_PROFILE)")
    parser.add_argument(
        "--system-prompt", help="instead of the built-in one; {date}, {channel}, {asker} are filled in"
    )
    parser.add_argument("--language", help="the answer's language (default: your locale's)")
    parser.add_argument(
        "--show-reasoning", action="store_true", help="print a reasoning model's thinking too"
    )
    args = parser.parse_args(before)
    args.question = " ".join(question).strip()
    if not args.question:
        parser.error('put the question after "--", e.g. python -m bot ask photo.jpg -- "what is this?"')
    for path in args.files:
        if not path.is_file():
            parser.error(f"{path} is not a file")
    return args


def _load(path: Path, settings: Settings) -> Attachment:
    attachment = Attachment.from_bytes(path.name, path.read_bytes(), language=path.suffix.lstrip(".") or None)
    if attachment.kind is Kind.IMAGE:
        attachment = images.prepare(attachment, settings.image_max_edge, settings.image_max_bytes)
    return attachment


async def ask(settings: Settings, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    files = [
        SlackFile(f"local-{n}", p.name, "", p.stat().st_size, None, "local") for n, p in enumerate(args.files)
    ]
    attachments = {
        file.id: await asyncio.to_thread(_load, path, settings)
        for file, path in zip(files, args.files, strict=True)
    }
    base = conversation.Budget(settings.media_max_count, settings.media_max_bytes, settings.max_text_chars)
    known = settings.profiles()
    if args.profile and args.profile not in known:
        print(f"error: there is no profile {args.profile}; there are: {', '.join(sorted(known))}", file=err)
        return 2
    async with aiohttp.ClientSession() as session:
        profile, model = models(settings, session).get(args.profile or settings.default_profile)
        sent = conversation.build(
            [ThreadMessage("user", "you", args.question, files)], attachments, {}, {}, profile.budget(base)
        )
        for file in files:
            if file.id in sent.left_out:
                print(f"note: {file.name} was not sent: {sent.left_out[file.id]}", file=err)
            elif attachments[file.id].kind is Kind.OTHER:
                print(f"note: {file.name} was not sent: the bot can't read files like it", file=err)
        system = instructions.system_prompt(
            args.system_prompt,
            channel="a terminal",
            asker=getpass.getuser(),
            language=args.language or instructions.language_of(locale.getlocale()[0]),
        )
        print(f"({profile.name}: {profile.model})", file=err)

        async def write(text: str) -> None:
            out.write(text)
            out.flush()

        try:
            finish_reason, usage, reasoning = await without_reasoning(model.stream(sent.turns, system), write)
        except Failure as failure:
            print(f"\nerror: {failure}", file=err)
            return 1
    out.write("\n")
    if (args.show_reasoning or settings.show_reasoning) and reasoning.strip():
        print(f"\n--- reasoning ---\n{reasoning.strip()}", file=err)
    if finish_reason == "length":
        print("note: the answer was cut off at its length limit (REKA_MAX_TOKENS)", file=err)
    if usage is not None:
        print(f"({usage.input_tokens} input tokens, {usage.output_tokens} output tokens)", file=err)
    return 0


def main(settings: Settings, argv: list[str]) -> int:
    return asyncio.run(ask(settings, parse(argv), sys.stdout, sys.stderr))
