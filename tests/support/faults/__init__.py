"""The harness of tests/reliability/test_faults.py: a private system, its faults, the
travellers' load and the counting of facts in each store."""
