"""The only code of the checkpoint service that imports pymongo."""
