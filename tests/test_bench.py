"""The benchmarks keep running: a quick pass of each part (its numbers are for the README,
not asserted here; only what does not depend on the machine's speed is)."""

from __future__ import annotations

from bench import latency, memory


async def test_the_follow_up_benchmark_shows_the_cache_at_work() -> None:
    with_cache, without = await latency.follow_up_cost(512 * 1024 * 1024), await latency.follow_up_cost(0)
    assert (with_cache["downloads_on_turn_10"], with_cache["bytes_fetched_on_turn_10"]) == (0, 0)
    assert without["downloads_on_turn_10"] == 3 and without["bytes_fetched_on_turn_10"] > 0


async def test_the_memory_benchmark_reads_the_bots_memory() -> None:
    [result] = [await memory.scenario(1, 5 * 1024 * 1024)]
    assert result["request_bytes"] > 5 * 1024 * 1024 * 4 / 3  # the video went to the model, in base64
    assert 0 < result["idle_rss"] <= result["peak_rss"]


async def test_the_ack_benchmark_probes_from_another_process() -> None:
    result = await latency.ack_latency(in_flight=5, probes=5)
    assert result["in_flight"] == 5 and 0 < result["probe_p50_ms"] <= result["probe_max_ms"]


async def test_time_outside_the_emulated_requests_is_what_the_bot_adds() -> None:
    # Requests open over [0, 1] and [2, 3] of a 4-second answer: 2 s emulated, 2 s the bot's.
    assert latency.busy([(0.0, 1.0), (0.5, 0.8), (2.0, 3.0)], 0.0, 4.0) == 2.0
    assert latency.busy([(0.0, 1.0), (0.5, 1.5)], 0.0, 4.0) == 1.5
