"""What `GET /metrics` shows, in Prometheus' format (prometheus-client)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()

ANSWERS = Counter("bot_answers", "Questions handled, by outcome", ["outcome"], registry=REGISTRY)
FAILURES = Counter(
    "bot_failures", "Answers that ended in a failure message, by kind", ["kind"], registry=REGISTRY
)
IN_FLIGHT = Gauge("bot_answers_in_flight", "Answers being written now", registry=REGISTRY)
SECONDS = Histogram(
    "bot_answer_seconds",
    "Time from the question to the end of the answer",
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
    registry=REGISTRY,
)
TOKENS = Counter(
    "bot_model_tokens", "Tokens the model reported, by direction", ["direction"], registry=REGISTRY
)
FILES = Counter("bot_files", "Files read for answers, by kind", ["kind"], registry=REGISTRY)
FILE_BYTES = Counter(
    "bot_file_bytes", "Bytes of files read for answers, by kind", ["kind"], registry=REGISTRY
)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
