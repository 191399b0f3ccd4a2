"""The system prompt of one answer: the workspace's or channel's own (or ours), with the
date, the channel and the asker filled in, and the language to answer in."""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError

DEFAULT_PROMPT = (
    "You are a helpful assistant in Slack, answering in a thread. Today is {date}. "
    "You are answering {asker} in {channel}. Files shared in the thread come with the messages "
    "they were shared in. Be concise and use Markdown."
)
PLACEHOLDERS = ("{date}", "{channel}", "{asker}")


def system_prompt(template: str | None, *, channel: str, asker: str, language: str | None) -> str:
    """`template` may use {date} (today, UTC), {channel} and {asker}; other braces are left
    as they are."""
    date = dt.datetime.now(dt.UTC).strftime("%A, %d %B %Y")
    text = template or DEFAULT_PROMPT
    for placeholder, value in zip(PLACEHOLDERS, (date, channel, asker), strict=True):
        text = text.replace(placeholder, value)
    if language:
        text += f"\n\nAlways answer in {language}."
    return text


def language_of(locale: str | None) -> str | None:
    """The language of a Slack locale ("ja-JP" -> "Japanese"), or None when unknown."""
    if not locale:
        return None
    try:
        return str(Locale.parse(locale.replace("-", "_")).get_language_name("en"))
    except (UnknownLocaleError, ValueError):
        return None
