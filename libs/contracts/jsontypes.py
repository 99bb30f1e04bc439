"""The one name for JSON that no model describes (yet).

A token's claims, an OpenAPI or JSON Schema document, a payload before its upcasters
and validation ran, a status report: JSON objects whose shape belongs to another
system or is checked right after. Records crossing the project's own layers are typed
models, never this (docs/layout.md).
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]
