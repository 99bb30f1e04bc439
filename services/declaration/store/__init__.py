"""The only code of the declaration service that touches the PyMongo driver."""
