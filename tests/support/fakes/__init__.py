"""In-memory fakes of the services' ports, one module per service (docs/layout.md)."""
