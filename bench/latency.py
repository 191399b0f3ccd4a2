"""How much time the bot adds to an answer, and how fast it acknowledges Slack under load.

Runs the real bot (`python -m bot`, HTTP mode) against the Slack and Reka emulators with
configurable latencies. Scenarios:

- ack: acknowledgement latency of `POST /slack/events` (p50, p99, max) while N answers are
  in flight, each waiting on a slow model. The probes are sent from a separate process.
- added: the bot's own time per answer: its end-to-end time minus the time some emulated
  Slack or model request was in progress, for a text question and for a thread with five
  images, a PDF and a 20 MB video; with downloads in parallel and, as a baseline, one by one.
- follow-up: downloads and bytes fetched on the tenth turn of a thread with files, with the
  media cache and, as a baseline, without it.
- throughput: answers per second with instant emulators.

    python -m bench.latency [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from tests import samples
from tests.conftest import World, app_mention, envelope, sign
from tests.emulators.reka import RekaEmulator, Reply, Silence
from tests.emulators.slack import BOT_USER, SlackEmulator

MB = 1024 * 1024
RESULTS = Path(__file__).parent / "results"
T = TypeVar("T")


async def with_world(run: Callable[[World], Awaitable[T]], reka_check: bool = True) -> T:
    slack, reka = SlackEmulator(), RekaEmulator(check=reka_check)
    await slack.start()
    await reka.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            world = World(slack, reka, Path(tmp))
            try:
                return await run(world)
            except BaseException:
                for bot in world.bots:
                    print(bot.log()[-3000:])
                raise
            finally:
                for bot in world.bots:
                    await bot.stop()
    finally:
        await slack.stop()
        await reka.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---- acknowledgement latency ----


def _probe(url: str, bodies: list[bytes], gap: float, out: Any) -> None:
    """In its own process: post each signed body, `gap` seconds apart; report latencies."""

    async def run() -> list[float]:
        latencies: list[float] = []
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

            async def one(body: bytes) -> None:
                headers = {"Content-Type": "application/json", **sign(body)}
                started = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                latencies.append(time.perf_counter() - started)

            tasks = []
            for body in bodies:
                tasks.append(asyncio.create_task(one(body)))
                await asyncio.sleep(gap)
            await asyncio.gather(*tasks)
        return latencies

    out.put(asyncio.run(run()))


def mention_bodies(world: World, count: int, prefix: str) -> list[bytes]:
    bodies = []
    for n in range(count):
        message = world.slack.post(f"C{prefix}{n}", f"<@{BOT_USER}> question {n}", user="U1")
        bodies.append(json.dumps(envelope(app_mention(f"C{prefix}{n}", message))).encode())
    return bodies


async def in_process(target: Callable[..., None], *args: Any) -> Any:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = await asyncio.to_thread(queue.get)
    await asyncio.to_thread(process.join)
    return result


async def ack_latency(in_flight: int, probes: int) -> dict[str, Any]:
    async def run(world: World) -> dict[str, Any]:
        world.reka.script = [Silence(600)] * (in_flight + probes)  # a model that thinks for long
        bot = await world.start_bot(
            LOG_LEVEL="WARNING",
            REKA_REQUEST_TIMEOUT_SECONDS="900",
            MAX_CONCURRENT_ANSWERS=str(in_flight + probes),  # all of them in flight, none queued
        )
        url = f"{bot.url}/slack/events"
        load = await in_process(_probe, url, mention_bodies(world, in_flight, "L"), 0.0)
        async with asyncio.timeout(120):  # until every loaded answer is waiting on the model
            while len(world.reka.received) < in_flight:
                await asyncio.sleep(0.05)
        probe = await in_process(_probe, url, mention_bodies(world, probes, "P"), 0.01)
        return {
            "in_flight": in_flight,
            "burst_p99_ms": round(percentile(load, 0.99) * 1000, 1),
            "probe_p50_ms": round(percentile(probe, 0.5) * 1000, 1),
            "probe_p99_ms": round(percentile(probe, 0.99) * 1000, 1),
            "probe_max_ms": round(max(probe) * 1000, 1),
        }

    return await with_world(run)


# ---- the bot's own time per answer ----


def busy(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds within [start, end] during which at least one interval was open."""
    total, reach = 0.0, start
    for begin, finish in sorted((max(b, start), min(e, end)) for b, e in intervals if e > start and b < end):
        if finish > reach:
            total += finish - max(begin, reach)
            reach = finish
    return total


async def added_latency(kind: str, runs: int, parallel: int) -> dict[str, Any]:
    async def run(world: World) -> dict[str, Any]:
        world.slack.latency = 0.05  # every Slack call and download
        world.reka.latency = 0.3  # the model's time to first token
        await world.start_bot(LOG_LEVEL="WARNING", PARALLEL_DOWNLOADS=str(parallel), MEDIA_CACHE_BYTES="0")
        files: list[dict[str, Any]] = []
        if kind == "files":
            files = [
                world.slack.add_file(f"p{n}.png", samples.image("PNG", (800, 600)), "image/png")
                for n in range(5)
            ]
            files.append(world.slack.add_file("doc.pdf", samples.pdf(), "application/pdf"))
            video = samples.video(".mp4")
            files.append(
                world.slack.add_file("clip.mp4", video + b"\0" * (20 * MB - len(video)), "video/mp4")
            )
            for file in files:
                world.slack.slow_files[file["id"]] = 0.2  # each download's own latency
        totals, added = [], []
        for n in range(runs):
            world.reka.script = [Reply("An answer of a few words.", pieces=3)]
            world.slack.intervals.clear()
            world.reka.intervals.clear()
            started = time.monotonic()
            question = await world.mention(f"question {n}", channel=f"C{n}", files=files or None)
            await world.slack.wait_for_replies(f"C{n}", question["ts"], settle=0, timeout=120)
            ended = max(end for _, end in world.slack.intervals)  # the last Slack call
            emulated = busy(world.slack.intervals + world.reka.intervals, started, ended)
            totals.append(ended - started)
            added.append(ended - started - emulated)
        return {
            "question": kind,
            "parallel_downloads": parallel,
            "end_to_end_ms": round(statistics.median(totals) * 1000, 1),
            "added_ms": round(statistics.median(added) * 1000, 1),
        }

    return await with_world(run, reka_check=False)


# ---- follow-ups ----


async def follow_up_cost(cache_bytes: int) -> dict[str, Any]:
    async def run(world: World) -> dict[str, Any]:
        await world.start_bot(LOG_LEVEL="WARNING", MEDIA_CACHE_BYTES=str(cache_bytes))
        files = [
            world.slack.add_file("a.png", samples.image("PNG", (800, 600)), "image/png"),
            world.slack.add_file("b.pdf", samples.pdf(), "application/pdf"),
            world.slack.add_file("c.mp4", samples.video(".mp4"), "video/mp4"),
        ]
        first = await world.mention("turn 1", files=files)
        await world.slack.wait_for_replies("C1", first["ts"], settle=0)
        for turn in range(2, 11):
            before = len(world.slack.downloads)
            sent = sum(d.bytes_sent for d in world.slack.downloads)
            question = await world.mention(f"turn {turn}", thread_ts=first["ts"])
            await world.slack.wait_for_replies("C1", first["ts"], count=turn, settle=0)
        return {
            "media_cache_bytes": cache_bytes,
            "downloads_on_turn_10": len(world.slack.downloads) - before,
            "bytes_fetched_on_turn_10": sum(d.bytes_sent for d in world.slack.downloads) - sent,
            "question": question["ts"],
        }

    return await with_world(run, reka_check=False)


# ---- throughput ----


async def throughput(answers: int, concurrency: int) -> dict[str, Any]:
    async def run(world: World) -> dict[str, Any]:
        world.reka.script = [Reply("ok", pieces=1)] * answers
        await world.start_bot(LOG_LEVEL="WARNING")
        limit = asyncio.Semaphore(concurrency)

        async def one(n: int) -> None:
            async with limit:
                question = await world.mention(f"q{n}", channel=f"T{n}")
                await world.slack.wait_for_replies(f"T{n}", question["ts"], settle=0, timeout=300)

        started = time.monotonic()
        await asyncio.gather(*(one(n) for n in range(answers)))
        elapsed = time.monotonic() - started
        return {
            "answers": answers,
            "concurrency": concurrency,
            "answers_per_second": round(answers / elapsed, 1),
            "seconds": round(elapsed, 2),
        }

    return await with_world(run, reka_check=False)


async def measure(quick: bool) -> dict[str, Any]:
    report: dict[str, Any] = {}
    levels = [10, 50] if quick else [10, 100, 500]
    report["ack"] = [await ack_latency(n, 50 if quick else 200) for n in levels]
    runs = 3 if quick else 10
    report["added"] = [
        await added_latency("text", runs, 8),
        await added_latency("files", runs, 8),
        await added_latency("files", runs, 1),
    ]
    report["follow_up"] = [await follow_up_cost(512 * MB), await follow_up_cost(0)]
    for item in report["follow_up"]:
        item.pop("question")
    report["throughput"] = [await throughput(50 if quick else 300, 20)]
    return report


def tables(report: dict[str, Any]) -> str:
    lines = [
        "Acknowledgement of POST /slack/events while answers wait on a slow model:",
        "",
        "| answers in flight | probe p50 | probe p99 | probe max | p99 of the burst that started them |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['in_flight']} | {r['probe_p50_ms']} ms | {r['probe_p99_ms']} ms | {r['probe_max_ms']} ms | "
        f"{r['burst_p99_ms']} ms |"
        for r in report["ack"]
    ]
    lines += [
        "",
        "Time per answer (Slack calls and downloads 50 ms each, each file 200 ms more, "
        "model 300 ms to first token):",
        "",
        "| question | downloads at once | end to end | added by the bot |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {"text": "text only", "files": "5 images, a PDF, a 20 MB video"}
    lines += [
        f"| {names[r['question']]} | {r['parallel_downloads']} | {r['end_to_end_ms']} ms "
        f"| {r['added_ms']} ms |"
        for r in report["added"]
    ]
    lines += [
        "",
        "| tenth turn of a thread with 3 files | downloads | bytes fetched |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| media cache {'on' if r['media_cache_bytes'] else 'off'} | {r['downloads_on_turn_10']} | "
        f"{r['bytes_fetched_on_turn_10']} |"
        for r in report["follow_up"]
    ]
    lines += ["", "| answers | at once | answers per second |", "| ---: | ---: | ---: |"]
    lines += [
        f"| {r['answers']} | {r['concurrency']} | {r['answers_per_second']} |" for r in report["throughput"]
    ]
    return "\n".join(lines)


async def main(quick: bool) -> None:
    report = await measure(quick)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latency.json").write_text(json.dumps(report, indent=2))
    print(tables(report))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer answers, for a smoke run")
    asyncio.run(main(parser.parse_args().quick))
