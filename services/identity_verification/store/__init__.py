"""The only code of identity verification that touches the PyMongo driver."""
