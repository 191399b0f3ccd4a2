"""Peak memory of the bot while it answers with large files.

Runs the real bot (`python -m bot`, HTTP mode) against the Slack and Reka emulators and
reads the bot's resident memory from /proc: idle after start, and its peak (VmHWM) while
answering. Scenarios: one answer carrying a 100 MB video; 20 concurrent answers carrying
10 MB each. Prints a table and writes bench/results/memory.json.

    python -m bench.memory
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from tests import samples
from tests.conftest import World
from tests.emulators.reka import RekaEmulator
from tests.emulators.slack import SlackEmulator

MB = 1024 * 1024
RESULTS = Path(__file__).parent / "results"


def memory_of(pid: int) -> dict[str, int]:
    """Resident and peak resident memory of a process, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def video_of(size: int) -> bytes:
    """A real MP4 header padded to `size` bytes (the bot reads its tracks, the model its bytes)."""
    head = samples.video(".mp4")
    return head + b"\0" * (size - len(head))


async def scenario(answers: int, file_bytes: int) -> dict[str, Any]:
    slack, reka = SlackEmulator(), RekaEmulator(check=False)
    await slack.start()
    await reka.start()
    with tempfile.TemporaryDirectory() as tmp:
        world = World(slack, reka, Path(tmp))
        limit = str(max(file_bytes * 2, 100 * MB))
        bot = await world.start_bot(
            LOG_LEVEL="WARNING",
            MAX_FILE_BYTES=limit,
            MAX_VIDEO_BYTES=limit,
            MEDIA_MAX_BYTES=str(file_bytes * 4),
        )
        try:
            assert bot.process is not None
            await asyncio.sleep(0.5)
            idle = memory_of(bot.process.pid)["VmRSS"]
            content = video_of(file_bytes)
            started = time.monotonic()
            questions = []
            for n in range(answers):
                video = slack.add_file(f"clip{n}.mp4", content, "video/mp4")
                questions.append(
                    await world.mention(f"what happens in clip {n}?", channel=f"C{n}", files=[video])
                )
            for n, question in enumerate(questions):
                await slack.wait_for_replies(f"C{n}", question["ts"], timeout=300, settle=0)
            elapsed = time.monotonic() - started
            peak = memory_of(bot.process.pid)["VmHWM"]
        finally:
            await bot.stop()
            await slack.stop()
            await reka.stop()
    in_flight = answers * file_bytes
    return {
        "answers": answers,
        "file_bytes": file_bytes,
        "bytes_in_flight": in_flight,
        "request_bytes": sum(reka.body_bytes),
        "idle_rss": idle,
        "peak_rss": peak,
        "peak_minus_idle": peak - idle,
        "ratio_to_in_flight": round((peak - idle) / in_flight, 2),
        "seconds": round(elapsed, 2),
    }


async def measure(quick: bool) -> list[dict[str, Any]]:
    runs = [(1, 10 * MB), (2, 5 * MB)] if quick else [(1, 100 * MB), (20, 10 * MB)]
    return [await scenario(answers, size) for answers, size in runs]


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| answers at once | file each | bytes in flight | idle RSS | peak RSS | peak - idle | "
        "(peak - idle) / in flight |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['answers']} | {r['file_bytes'] // MB} MB | {r['bytes_in_flight'] // MB} MB | "
        f"{r['idle_rss'] // MB} MB | {r['peak_rss'] // MB} MB | {r['peak_minus_idle'] // MB} MB | "
        f"{r['ratio_to_in_flight']} |"
        for r in results
    ]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


async def main(quick: bool) -> None:
    results = await measure(quick)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    print(table(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small files, for a smoke run")
    asyncio.run(main(parser.parse_args().quick))
