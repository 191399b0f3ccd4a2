"""Benchmarks: the real bot process against the local emulators. See bench/README.md."""
