"""The only code of messages to citizens that touches the PyMongo driver."""
