"""Pure rules and typed records of the checkpoint service: no I/O."""
