"""The staff identity provider: the realm file, and what development adds to it."""
