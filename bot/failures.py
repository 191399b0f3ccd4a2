"""Failures a user can meet, each carrying the short message the thread shows.

Every message says what went wrong and what to do, and never carries a secret.
"""

from __future__ import annotations


class Failure(Exception):
    """A failure that ends the answer; `str(failure)` is what the user reads."""


class FileSkipped(Exception):
    """One file could not be read; the answer goes on without it and says so."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class MissingFilesScope(Failure):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"I couldn't open *{name}*: Slack sent me a sign-in page instead of the file. "
            "An admin needs to add the `files:read` scope to this app and reinstall it."
        )


class ModelAuthFailed(Failure):
    def __init__(self, key_setting: str = "REKA_API_KEY") -> None:
        super().__init__(
            f"The model API rejected my API key, so I can't answer. An admin needs to check `{key_setting}`."
        )


class ModelRejected(Failure):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(
            f"The model refused this request (HTTP {status}): {detail}. "
            "Try rephrasing, or leave out the files it could not take."
        )


class ModelTimedOut(Failure):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"The model didn't answer within {seconds:g} seconds. Please ask again in a moment.")


class ModelUnavailable(Failure):
    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(
            f"The model service is not answering ({what}) and didn't recover within "
            f"{seconds:g} seconds. Please ask again later."
        )


class ModelBrokeOff(Failure):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"The model's answer broke off ({what}). What it wrote is above; ask again for the rest."
        )


class ModelEmptyAnswer(Failure):
    def __init__(self) -> None:
        super().__init__("The model returned an empty answer. Please rephrase and ask again.")


class NothingAsked(Failure):
    def __init__(self) -> None:
        super().__init__(
            "I didn't find a question. Mention me with a question, or attach a file and ask about it."
        )


class RateLimited(Failure):
    def __init__(self, who: str, limit: int, window_seconds: int) -> None:
        minutes = max(1, window_seconds // 60)
        super().__init__(
            f"{who} reached the limit of {limit} questions in {minutes} minutes. "
            "Please ask again a little later."
        )


class Interrupted(Failure):
    def __init__(self) -> None:
        super().__init__("I was restarted before I could finish this answer. Please ask again.")


class Unexpected(Failure):
    def __init__(self) -> None:
        super().__init__(
            "Something went wrong on my side while answering; it has been logged. "
            "Please ask again, and tell the app's admin if it keeps happening."
        )


class NotInThisChannel(Failure):
    def __init__(self, command: str) -> None:
        super().__init__(
            "I'm not switched on in this channel. A workspace admin can add it to the channels I answer in "
            f"(`{command} config workspace`, or my App Home tab); until then, ask me in a direct message."
        )
