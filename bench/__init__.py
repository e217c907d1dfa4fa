"""Benchmarks (`make bench`, i.e. `python -m bench`); see docs/benchmarks.md.

Figures are given as ratios against raw SQL returning the same rows, measured in the same run
on the same machine, because absolute milliseconds say more about the machine than the code.
"""
