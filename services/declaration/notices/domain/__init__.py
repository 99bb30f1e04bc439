"""Messages to citizens: pure rules, words and typed records (no I/O)."""
