"""Use cases of messages to citizens: what to send (triggers) and sending it."""
