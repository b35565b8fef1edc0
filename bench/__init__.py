"""Benchmarks for orgmap: ``python -m bench`` (or ``make bench``).

Realistic debtor maps come from :mod:`bench.generate`, are bulk-loaded by
:mod:`bench.load`, and are timed by :mod:`bench.route_bench` (issue 3: who to
call next) and :mod:`bench.map_bench` (issue 4: drawing the map).  Figures are
printed as a table and written to ``bench/results/latest.json``; nothing here
asserts a time — the README quotes the figures.
"""
