"""The declaration's pure rules and typed records: no I/O, no driver, no HTTP."""
