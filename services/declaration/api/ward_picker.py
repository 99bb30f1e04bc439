"""The administrative units the page's pickers offer: 34 provinces, 3,321 wards.

Served by the service itself (`GET /v1/units`), from the same
`vietnam-provinces` data the validation uses, so a picker can never offer a
ward the form would refuse.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward


@dataclass(frozen=True)
class UnitsDocument:
    body: bytes
    gzipped: bytes
    etag: str


@cache
def document() -> UnitsDocument:
    wards: dict[int, list[list[str]]] = {}
    for ward in Ward.iter_all():
        wards.setdefault(int(ward.province_code), []).append([f"{int(ward.code):05d}", ward.name])
    # Official code order; the page sorts by name with the browser's Vietnamese collation.
    provinces = [{"code": int(p.code), "name": p.name, "wards": wards.get(int(p.code), [])}
                 for p in Province.iter_all()]
    body = json.dumps({"provinces": provinces}, ensure_ascii=False,
                      separators=(",", ":")).encode()
    return UnitsDocument(body, gzip.compress(body, 9, mtime=0),
                         '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
