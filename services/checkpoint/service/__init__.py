"""Use cases of the checkpoint service; they take ports (service/ports.py)."""
