"""HTTP routes of the movement-trace service."""
