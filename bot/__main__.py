"""`python -m bot`: check the settings, then run the bot until stopped.

`python -m bot ask FILE... -- "question"` asks the model from the terminal, without
Slack; `python -m bot check` says whether the setup will work.
"""

from __future__ import annotations

import asyncio
import sys

from bot import config, logs


def main(argv: list[str]) -> int:
    command = argv[0] if argv and argv[0] in ("ask", "check") else None
    try:
        settings = config.load(slack=command is None)
        logs.configure(settings.log_level if command is None else "WARNING", settings.log_format)
        if command == "ask":
            from bot import ask

            return ask.main(settings, argv[1:])
        if command == "check":
            from bot import check

            return check.main(settings)
        from bot.app import serve

        asyncio.run(serve(settings))
    except config.ConfigError as err:
        print(f"bot: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
