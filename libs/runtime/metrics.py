"""Prometheus metrics every service exports at `/metrics`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("khaibao_http_requests_total", "HTTP requests",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("khaibao_http_request_seconds", "HTTP request latency",
                         ["method", "route"])
EVENTS_CONSUMED = Counter("khaibao_events_consumed_total", "events handled", ["type"])
DEAD_LETTERS = Counter("khaibao_dead_letters_total", "messages sent to a DLQ", ["topic"])
OUTBOX_PUBLISHED = Counter("khaibao_outbox_published_total", "outbox entries published",
                           ["topic"])
CONSUMER_LAG = Gauge("khaibao_consumer_lag_records",
                     "records on the partition not yet consumed by this replica",
                     ["topic", "partition"])
CONSUMER_GROUP_BEHIND = Gauge("khaibao_consumer_group_behind_records",
                              "records past the committed offsets of the service's consumer "
                              "group, over all its partitions (the consumer watchdog's view)")
CONSUMER_RESTARTS = Counter("khaibao_consumer_restarts_total",
                            "restarts of the subscribers by the consumer watchdog (an aiokafka "
                            "task of the consumer ended, or the group stalled)")
OUTBOX_PENDING = Gauge("khaibao_outbox_pending_documents",
                       "documents with unpublished outbox entries at the last relay pass")
STORE_COMMANDS = Counter("khaibao_store_commands_total",
                         "MongoDB commands that succeeded, by command name and collection",
                         ["command", "collection"])
HTTP_SHED = Counter("khaibao_http_shed_total",
                    "requests answered 503 at once because the process was at its limit")
