"""Thread messages + their prepared files -> the alternating turns a model reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.media import Attachment, Kind
from bot.thread import Role, ThreadMessage

SENT_AS_MEDIA = (Kind.IMAGE, Kind.VIDEO, Kind.AUDIO, Kind.PDF)


@dataclass
class Turn:
    """One turn of the conversation: media first, then text (what backends send)."""

    role: Role
    text: str
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Budget:
    """What one request may carry: which media kinds and how many (the model's limits and
    the bot's), how much of a text file goes in, and how much text in all."""

    max_media: int
    max_media_bytes: int
    max_text_chars: int
    accepts: frozenset[Kind] = frozenset(SENT_AS_MEDIA)
    max_images: int | None = None
    max_input_chars: int | None = None  # from the model's context length
    model: str = "the model"


@dataclass
class Conversation:
    """The turns to send, and the files left out of them (by Slack file id) with why."""

    turns: list[Turn]
    left_out: dict[str, str]


_PLURAL = {Kind.IMAGE: "images", Kind.VIDEO: "videos", Kind.AUDIO: "audio", Kind.PDF: "PDFs"}


def build(
    messages: Sequence[ThreadMessage],
    attachments: Mapping[str, Attachment],
    skipped: Mapping[str, str],
    names: Mapping[str, str],
    budget: Budget,
) -> Conversation:
    """Merge consecutive messages of one role, so roles alternate, starting and ending on a
    user turn. `attachments` and `skipped` are keyed by Slack file id. Media the model
    can't read, and media beyond the budget (the oldest first), are left out; every file
    not sent is named in the text. The oldest turns go when the text outgrows the model."""
    over_budget = _over_budget(messages, attachments, budget)
    speakers = {m.speaker for m in messages if m.role == "user"}
    turns: list[Turn] = []
    for message in messages:
        speaker = None
        if message.role == "user" and len(speakers) > 1:
            speaker = names.get(message.speaker, message.speaker.removeprefix("bot:"))
        text, media = _render(message, speaker, attachments, skipped, over_budget, budget)
        if turns and turns[-1].role == message.role:
            turns[-1].text = "\n\n".join(t for t in (turns[-1].text, text) if t)
            turns[-1].attachments.extend(media)
        else:
            turns.append(Turn(message.role, text, media))
    if turns and turns[0].role == "assistant":
        opening = turns.pop(0)
        quoted = f"(The thread starts with this message from you:)\n{opening.text}"
        if turns:
            turns[0].text = f"{quoted}\n\n{turns[0].text}"
            turns[0].attachments[:0] = opening.attachments
        else:
            turns.append(Turn("user", quoted, opening.attachments))
    while turns and turns[-1].role == "assistant":
        turns.pop()
    if budget.max_input_chars is not None:
        _fit(turns, budget.max_input_chars)
    return Conversation(turns, over_budget)


def _fit(turns: list[Turn], max_chars: int) -> None:
    """Drop the oldest turns (a user turn and the answer to it) until the text fits."""
    dropped = False
    while len(turns) > 2 and sum(len(t.text) for t in turns) > max_chars:
        del turns[:2]
        dropped = True
    if dropped:
        note = "[Earlier messages of this thread were left out to fit the model.]"
        turns[0].text = f"{note}\n\n{turns[0].text}"


def _over_budget(
    messages: Sequence[ThreadMessage], attachments: Mapping[str, Attachment], budget: Budget
) -> dict[str, str]:
    """Ids of the media the model can't read or that don't fit, newest kept first, with why."""
    count, images, total, dropped = 0, 0, 0, {}
    seen: set[str] = set()
    for message in reversed(messages):
        for file in reversed(message.files):
            attachment = attachments.get(file.id)
            if attachment is None or attachment.kind not in SENT_AS_MEDIA or file.id in seen:
                continue
            seen.add(file.id)
            if attachment.kind not in budget.accepts:
                dropped[file.id] = f"{budget.model} can't read {_PLURAL[attachment.kind]}"
            elif (
                attachment.kind is Kind.IMAGE
                and budget.max_images is not None
                and images >= budget.max_images
            ):
                dropped[file.id] = (
                    f"{budget.model} takes at most {budget.max_images} images at once; newer ones were kept"
                )
            elif count + 1 > budget.max_media:
                dropped[file.id] = f"one request takes at most {budget.max_media} files; newer ones were kept"
            elif total + attachment.size > budget.max_media_bytes:
                limit = budget.max_media_bytes // (1024 * 1024)
                dropped[file.id] = f"one request takes at most {limit} MB of files; newer ones were kept"
            else:
                count += 1
                images += attachment.kind is Kind.IMAGE
                total += attachment.size
    return dropped


def _render(
    message: ThreadMessage,
    speaker: str | None,
    attachments: Mapping[str, Attachment],
    skipped: Mapping[str, str],
    over_budget: Mapping[str, str],
    budget: Budget,
) -> tuple[str, list[Attachment]]:
    lines = []
    media: list[Attachment] = []
    for file in message.files:
        attachment = attachments.get(file.id)
        if file.id in over_budget:
            lines.append(f"[Attached file {file.name} was left out: {over_budget[file.id]}.]")
        elif attachment is None:
            reason = skipped.get(file.id, "it could not be downloaded")
            lines.append(f"[Attached file {file.name} was not read: {reason}.]")
        elif attachment.kind in SENT_AS_MEDIA:
            media.append(attachment)
            if attachment.note:
                lines.append(f"[Attached file {file.name}: {attachment.note}.]")
        elif attachment.kind is Kind.TEXT:
            lines.append(_text_file(attachment, budget.max_text_chars))
        else:
            lines.append(f"[Attached file {file.name} was not read: I can't read this kind of file.]")
    said = f"{speaker}: {message.text}" if speaker and message.text else message.text
    return "\n".join([*lines, said] if said else lines), media


def _text_file(attachment: Attachment, max_chars: int) -> str:
    text = attachment.text()
    cut = ""
    if len(text) > max_chars:
        cut = f"\n[The file was cut here: {len(text) - max_chars} more characters were not included.]"
        text = text[:max_chars]
    fence = "````" if "```" in text else "```"
    return f"File {attachment.name}:\n{fence}{attachment.language or ''}\n{text}\n{fence}{cut}"
