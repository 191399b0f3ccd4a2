"""`python -m bench`: every benchmark, one after the other; tables on stdout, raw results
in bench/results/all.json. `--quick` for a smoke run with small numbers."""

from __future__ import annotations

import argparse
import asyncio
import json

from bench import latency, memory


async def main(quick: bool) -> None:
    memory_results = await memory.measure(quick)
    latency_results = await latency.measure(quick)
    memory.RESULTS.mkdir(exist_ok=True)
    (memory.RESULTS / "all.json").write_text(
        json.dumps({"machine": memory.machine(), "memory": memory_results, **latency_results}, indent=2)
    )
    print("Memory while answering with large files:\n")
    print(memory.table(memory_results))
    print()
    print(latency.tables(latency_results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run")
    asyncio.run(main(parser.parse_args().quick))
