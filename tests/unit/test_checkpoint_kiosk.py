"""The kiosk's camera loop: real QR images decoded by zxing-cpp, one action per code."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image

from services.checkpoint.kiosk import decode, summary, watch
from services.declaration.api import qr_render
from tests.support.checkpoint_samples import Keys


class Recorder:
    """Stands in for the kiosk's API calls: records the tokens it would send."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def handle(self, token: str) -> dict[str, Any]:
        self.tokens.append(token)
        return {"token": token}


def frame(token: str) -> Image.Image:
    return Image.open(io.BytesIO(qr_render.png(token)))


def test_a_camera_that_keeps_seeing_one_code_acts_once_per_code() -> None:
    keys = Keys()
    first, second = (keys.token(str(uuid.uuid4())) for _ in range(2))
    blank = Image.new("RGB", (300, 300), "white")
    frames = [frame(first), frame(first), blank, frame(first), frame(second), frame(first)]
    recorder = Recorder()
    results = list(watch(frames, recorder))  # type: ignore[arg-type]
    assert recorder.tokens == [first, second]
    assert [r["token"] for r in results] == [first, second]
    assert decode(blank) == []


def test_the_summary_line_shows_only_masked_facts() -> None:
    scan = {"scan_id": "s1", "kind": "declaration",
            "person": {"masked_name": "Nguyễn V. A.", "status": "verified"},
            "recommendation": {"decision": "refer", "reasons": [
                {"message": {"vi": "Khai có triệu chứng: fever", "en": "…"}}]}}
    assert summary(scan) == {"scan_id": "s1", "kind": "declaration", "who": "Nguyễn V. A.",
                             "status": "verified", "recommended": "refer",
                             "reasons": ["Khai có triệu chứng: fever"]}
