"""The checkpoint service subscribes with the shared one-consumer-for-all-topics helper."""

from libs.runtime.subscription import Handler, subscribe_all

__all__ = ["Handler", "subscribe_all"]
