"""A real PostgreSQL server (Debian's postgresql) for the tests that need one: a new cluster
in a temporary directory, on a free port, run as the `postgres` user when tests run as root."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import tempfile
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        self.data = self.root / "data"
        self.bin: Path | None = None
        self._as_user: list[str] = []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    async def _run(self, *command: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *self._as_user, *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise AssertionError(f"{command[0]} failed: {out.decode(errors='replace')}")

    async def start(self) -> None:
        self.bin = _binaries()
        if self.bin is None:
            if os.environ.get("BOT_TESTS_REQUIRE_POSTGRES"):
                raise AssertionError("PostgreSQL is not installed (apt-get install postgresql)")
            pytest.skip("PostgreSQL is not installed (apt-get install postgresql); CI runs these")
        self.data.mkdir()
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            shutil.chown(self.data, "postgres")
            self.root.chmod(0o755)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        await self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")  # the server must not hold our pipe open
        await self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )

    async def stop(self) -> None:
        if self.bin is not None and (self.data / "postmaster.pid").exists():
            await self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
