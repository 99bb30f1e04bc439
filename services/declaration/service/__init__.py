"""Use cases of the declaration service: they take the ports of `service.ports`."""
