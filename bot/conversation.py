"""Thread messages + their downloaded files -> the alternating turns a model reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.media import Attachment, Kind
from bot.thread import Role, ThreadMessage


@dataclass
class Turn:
    """One turn of the conversation: media first, then text (what backends send)."""

    role: Role
    text: str
    attachments: list[Attachment] = field(default_factory=list)


def build(
    messages: Sequence[ThreadMessage],
    attachments: Mapping[str, Attachment],
    skipped: Mapping[str, str],
    names: Mapping[str, str],
) -> list[Turn]:
    """Merge consecutive messages of one role, so roles alternate, starting and ending on
    a user turn. `attachments` and `skipped` are keyed by Slack file id; a file that is not
    sent as media is named in the text so the model knows it was there.
    """
    speakers = {m.speaker for m in messages if m.role == "user"}
    turns: list[Turn] = []
    for message in messages:
        text, media = _render(message, attachments, skipped, names, len(speakers) > 1)
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
    return turns


def _render(
    message: ThreadMessage,
    attachments: Mapping[str, Attachment],
    skipped: Mapping[str, str],
    names: Mapping[str, str],
    several_speakers: bool,
) -> tuple[str, list[Attachment]]:
    lines = []
    media: list[Attachment] = []
    for file in message.files:
        attachment = attachments.get(file.id)
        if attachment is not None and attachment.kind is not Kind.OTHER:
            media.append(attachment)
        elif attachment is not None:
            lines.append(f"[Attached file {file.name} was not read: I can't read this kind of file.]")
        else:
            reason = skipped.get(file.id, "it could not be downloaded")
            lines.append(f"[Attached file {file.name} was not read: {reason}.]")
    text = message.text
    if message.role == "user" and several_speakers and text:
        speaker = names.get(message.speaker, message.speaker.removeprefix("bot:"))
        text = f"{speaker}: {text}"
    return "\n".join([*lines, text] if text else lines), media
