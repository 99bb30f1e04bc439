"""Synthetic people and trips for the demo, the tests and the benchmarks.

Not part of the shipped services (pyproject packages only libs and services): a
production image carries no invented residents. The demo seed (deploy/local/demo.py)
uses it from the repository, as the tests and bench/ do.
"""
