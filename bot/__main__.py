"""`python -m bot`: check the settings, then run the bot until stopped."""

from __future__ import annotations

import asyncio
import sys

from bot import config, logs
from bot.app import serve


def main() -> int:
    try:
        settings = config.load()
        logs.configure(settings.log_level, settings.log_format)
        asyncio.run(serve(settings))
    except config.ConfigError as err:
        print(f"bot: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
