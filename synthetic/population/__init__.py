"""The synthetic population registry: generator and its command line."""
