"""`python -m services.checkpoint.kiosk`: the command-line scanner for kiosks.

    python -m services.checkpoint.kiosk IMAGE... --checkpoint ID [--direction in]
    python -m services.checkpoint.kiosk --webcam 0 --checkpoint ID --direction in

Reads QR codes from images (or a webcam, with OpenCV installed:
`pip install opencv-python-headless`) with zxing-cpp (not a dependency of the
service: `pip install zxing-cpp` on the kiosk), asks the checkpoint
service (`POST /v1/scans`), and records the recommended decision
(`POST /v1/passages`) unless `--decide none`. One JSON line per code on
stdout. The officer token comes from `--token` or `CHECKPOINT_TOKEN`. A request
that fails on the network, or that a busy service sheds (503, `Retry-After`), is
retried with the same scan id — later each time, the wait said on stderr — so a
retry is never a second passage. Exit status: 0 when every image held a code the
service answered, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
from PIL import Image

from libs.contracts.envelope import new_event_id
from libs.contracts.jsontypes import JsonObject

RETRIES = 4
MAX_WAIT_S = 15.0
SAME_CODE_S = 5.0  # a webcam sees the same code many times a second: act once


def decode(image: Any) -> list[str]:
    """The text of every QR code in a PIL image (or a BGR / grey array)."""
    try:
        # Only the kiosk reads QR codes: the service itself ships without a decoder.
        import zxingcpp
    except ImportError:
        raise SystemExit("reading QR codes needs zxing-cpp: pip install zxing-cpp") from None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.barcode_formats_from_str("QRCode"))
    return [str(code.text) for code in found if code.valid]


class Kiosk:
    def __init__(self, client: httpx.Client, checkpoint_id: str, direction: str | None,
                 decide: str) -> None:
        self.client, self.checkpoint_id = client, checkpoint_id
        self.direction, self.decide = direction, decide

    def _post(self, path: str, body: JsonObject) -> httpx.Response:
        for attempt in range(RETRIES):
            wait = 0.5 * 2 ** attempt
            try:
                answer = self.client.post(path, json=body)
                if answer.status_code < 500 or attempt == RETRIES - 1:
                    return answer
                if answer.status_code == 503:  # shed: wait what it asks, longer each time
                    asked = float(answer.headers.get("retry-after", "1") or 1)
                    wait = min(asked * 2 ** attempt, MAX_WAIT_S)
                    print(f"service busy, trying again in {wait:.0f} s", file=sys.stderr)
            except httpx.TransportError:
                if attempt == RETRIES - 1:
                    raise
            time.sleep(wait)
        raise AssertionError("unreachable")

    def handle(self, token: str) -> JsonObject:
        """Scan one token and, unless told not to, record the recommended decision."""
        scan_id = new_event_id()
        answer = self._post("/v1/scans", {"checkpoint_id": self.checkpoint_id, "token": token,
                                          "scan_id": scan_id})
        if answer.status_code != 200:
            return {"scan_id": scan_id, "error": answer.json().get("error")}
        scan = answer.json()
        result = summary(scan)
        if self.decide == "none":
            return result
        decision = scan["recommendation"]["decision"] if self.decide == "recommended" \
            else self.decide
        body: JsonObject = {"scan_id": scan_id, "decision": decision}
        if self.direction:
            body["direction"] = self.direction
        passage = self._post("/v1/passages", body)
        if passage.status_code in (200, 201):
            result.update(passage_id=passage.json()["passage_id"], decision=decision)
        else:
            result.update(error=passage.json().get("error"))
        return result


def summary(scan: JsonObject) -> JsonObject:
    person, vehicle = scan.get("person") or {}, scan.get("vehicle") or {}
    return {"scan_id": scan["scan_id"], "kind": scan["kind"],
            "who": person.get("masked_name") or vehicle.get("plate"),
            "status": person.get("status"),
            "recommended": scan["recommendation"]["decision"],
            "reasons": [r["message"]["vi"] for r in scan["recommendation"]["reasons"]]}


def images(paths: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    for path in paths:
        try:
            with Image.open(path) as picture:
                yield path, decode(picture.convert("RGB"))
        except OSError as error:
            yield path, [f"!{error}"]


def webcam_frames(index: int) -> Iterator[Any]:  # pragma: no cover - needs a camera
    try:
        import cv2  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit("webcam scanning needs OpenCV: "
                         "pip install opencv-python-headless") from None
    camera = cv2.VideoCapture(index)
    try:
        while True:
            ok, frame = camera.read()
            if not ok:
                return
            yield frame
    finally:
        camera.release()


def watch(frames: Iterable[Any], kiosk: Kiosk, limit: int | None = None
          ) -> Iterator[JsonObject]:
    """Act on each new code seen in a stream of frames; the same code again only after
    `SAME_CODE_S`."""
    last_seen: dict[str, float] = {}
    handled = 0
    for frame in frames:
        for token in decode(frame):
            now = time.monotonic()
            if now - last_seen.get(token, -SAME_CODE_S) >= SAME_CODE_S:
                yield kiosk.handle(token)
                handled += 1
            last_seen[token] = now
        if limit is not None and handled >= limit:
            return


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", help="image files holding QR codes")
    parser.add_argument("--checkpoint", required=True, help="checkpoint id, e.g. cp-hn-...")
    parser.add_argument("--direction", choices=["in", "out", "through"])
    parser.add_argument("--decide", default="recommended",
                        choices=["recommended", "pass", "refer", "none"])
    parser.add_argument("--url", default=os.environ.get("CHECKPOINT_URL") or
                        f"http://127.0.0.1:{os.environ.get('CHECKPOINT_PORT', '8003')}")
    parser.add_argument("--token", default=os.environ.get("CHECKPOINT_TOKEN"))
    parser.add_argument("--webcam", type=int, help="camera index (needs OpenCV)")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("an officer token is needed: --token or CHECKPOINT_TOKEN")
    if not args.images and args.webcam is None:
        parser.error("give image files or --webcam")
    return args


def scan_images(kiosk: Kiosk, paths: list[str]) -> bool:
    """Print one JSON line per code (or per image without one); True if all went well."""
    ok = True
    for path, tokens in images(paths):
        unreadable = not tokens or tokens[0].startswith("!")
        if unreadable:
            ok = False
            detail = tokens[0][1:] if tokens else "no QR code found"
            print(json.dumps({"image": path, "error": {"code": "no_qr_code", "detail": detail}}),
                  flush=True)
            continue
        for token in tokens:
            try:
                result = {"image": path, **kiosk.handle(token)}
            except httpx.TransportError as error:
                result = {"image": path, "error": {"code": "unreachable", "detail": str(error)}}
            ok = ok and "error" not in result
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return ok


def main(argv: list[str]) -> int:
    args = arguments(argv)
    headers = {"authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=10) as client:
        kiosk = Kiosk(client, args.checkpoint, args.direction, args.decide)
        if args.webcam is None:
            return 0 if scan_images(kiosk, args.images) else 1
        for result in watch(webcam_frames(args.webcam), kiosk):
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
