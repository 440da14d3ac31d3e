"""Benchmark suite: generators of large X12 files and the scripts that time the gateway on them."""
