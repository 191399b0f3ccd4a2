"""Token usage: each answer's, as its model reported it, added to its day's totals in the
state store; and the report admins read with `/reka usage`."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable

from bot.models.base import Usage
from bot.state import StateStore, UsageRow

log = logging.getLogger(__name__)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class UsageLedger:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def record(
        self, team: str | None, channel: str, user: str, model: str, usage: Usage | None
    ) -> None:
        """Count one answer (its tokens, when the model reported them); a failure to count
        is logged, never shown: the answer is already in the thread."""
        usage = usage or Usage()
        row = UsageRow(_today().isoformat(), channel, user, model, 1, usage.input_tokens, usage.output_tokens)
        try:
            await self._state.add_usage(team or "-", row)
        except Exception:
            log.exception("could not record an answer's usage")

    async def rows(self, team: str | None, days: int) -> list[UsageRow]:
        """The last `days` days (UTC), today included."""
        today = _today()
        return await self._state.usage(
            team or "-", [(today - dt.timedelta(days=n)).isoformat() for n in range(days)]
        )


def report(rows: Iterable[UsageRow], days: int) -> str:
    """Totals, then by channel, by user and by model, the largest first (Slack mrkdwn)."""
    rows = list(rows)
    period = "today" if days == 1 else f"the last {days} days"
    if not rows:
        return f"No answers in {period}."
    answers = sum(r.answers for r in rows)
    lines = [
        f"*Usage in {period}*: {answers:,} answer{'s' if answers != 1 else ''}, "
        f"{sum(r.input_tokens for r in rows):,} input tokens, "
        f"{sum(r.output_tokens for r in rows):,} output tokens."
    ]
    groups: list[tuple[str, Callable[[UsageRow], str]]] = [
        ("By channel", lambda r: "direct messages" if r.channel.startswith("D") else f"<#{r.channel}>"),
        ("By user", lambda r: f"<@{r.user}>"),
        ("By model", lambda r: f"`{r.model}`"),
    ]
    for title, key in groups:
        inputs: Counter[str] = Counter()
        outputs: Counter[str] = Counter()
        counts: Counter[str] = Counter()
        for r in rows:
            inputs[key(r)] += r.input_tokens
            outputs[key(r)] += r.output_tokens
            counts[key(r)] += r.answers
        lines.append(f"\n*{title}*")
        for name in sorted(counts, key=lambda n: (-(inputs[n] + outputs[n]), n)):
            answered = f"{counts[name]:,} answer{'s' if counts[name] != 1 else ''}"
            lines.append(f"• {name}: {answered}, {inputs[name]:,} in, {outputs[name]:,} out")
    return "\n".join(lines)
