"""Use cases of identity verification: they take the ports of `service.ports`."""
