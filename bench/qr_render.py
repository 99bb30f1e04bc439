"""QR rendering: time per code for each option tried, and whether zxing-cpp reads it.

    .venv/bin/python -m bench.qr_render [--codes 200]

Every option renders the same set of freshly signed tokens (distinct data, so
the mask search of the defaults does real work). Printed as a Markdown table;
the `qrcode default` rows are the raw baseline the others are measured against.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import qrcode
import qrcode.image.svg
import segno
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from bench.common import Row
from libs.runtime.qr_tokens import Kind, QrSigner
from services.declaration.api import qr_render

Render = Callable[[str], bytes]
BOX, BORDER = 8, 4


def _qrcode(text: str, mask: int | None, svg: bool = False) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=BOX,
                         border=BORDER, mask_pattern=mask)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    if svg:
        code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    else:
        code.make_image().save(out)
    return out.getvalue()


def _segno(text: str, mask: int | None, svg: bool = False) -> bytes:
    code = segno.make(text, error="m", micro=False, boost_error=False, mask=mask)
    out = io.BytesIO()
    code.save(out, kind="svg" if svg else "png", scale=BOX, border=BORDER)
    return out.getvalue()


ENCODING_ONLY = ("segno fixed mask 2, encoding only (no image)", "matrix")
OPTIONS: list[tuple[str, str, Render]] = [
    ("qrcode default (mask search)", "png", lambda t: _qrcode(t, None)),
    ("qrcode fixed mask 2", "png", lambda t: _qrcode(t, 2)),
    ("segno default (mask search)", "png", lambda t: _segno(t, None)),
    ("segno fixed mask 2", "png", lambda t: _segno(t, 2)),
    (*ENCODING_ONLY, lambda t: bytes(qr_render.encode(t).matrix[0])),
    ("service: qr_render.png (segno + its own PNG rows)", "png", qr_render.png),
    ("qrcode default (mask search)", "svg", lambda t: _qrcode(t, None, svg=True)),
    ("qrcode fixed mask 2", "svg", lambda t: _qrcode(t, 2, svg=True)),
    ("segno default (mask search)", "svg", lambda t: _segno(t, None, svg=True)),
    ("segno fixed mask 2", "svg", lambda t: _segno(t, 2, svg=True)),
    ("service: qr_render.svg", "svg", qr_render.svg),
]


def tokens(count: int, jws: bool) -> list[str]:
    key = Ed25519PrivateKey.generate()
    signer, now = QrSigner(key), datetime.now(UTC)
    if not jws:
        return [signer.sign(str(uuid.uuid4()), Kind.declaration, now, now + timedelta(days=3))
                for _ in range(count)]
    return [jwt.encode({"sub": str(uuid.uuid4()), "knd": "d", "iat": now,
                        "exp": now + timedelta(days=3)}, key, algorithm="EdDSA",
                       headers={"kid": signer.kid, "typ": "kbqr"}) for _ in range(count)]


def decodes(png: bytes, text: str) -> bool:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)),
                                   formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return len(found) == 1 and found[0].text == text


def measure(render: Render, texts: list[str], fmt: str) -> tuple[list[float], int, int]:
    render(texts[0])  # warm-up: imports, caches
    times, readable, size = [], 0, 0
    for text in texts:
        started = time.perf_counter()
        out = render(text)
        times.append((time.perf_counter() - started) * 1000)
        size = len(out)
        readable += fmt == "png" and decodes(out, text)
    return times, readable, size


def collect(codes: int = 100) -> list[Row]:
    """The chosen renderers against the libraries' defaults, for `make bench`'s table."""
    texts = tokens(codes, jws=False)
    rows = []
    by_name = {(name, fmt): render for name, fmt, render in OPTIONS}
    for fmt, chosen, default in (
            ("png", qr_render.png, by_name[("qrcode default (mask search)", "png")]),
            ("svg", qr_render.svg, by_name[("segno default (mask search)", "svg")])):
        ours, read, _ = measure(chosen, texts, fmt)
        base, _, _ = measure(default, texts, fmt)
        decoded = f", zxing-cpp read {read}/{codes}" if fmt == "png" else ""
        floor = ""
        if fmt == "png":  # what no image writer can beat: the encoding alone
            encoding, _, _ = measure(by_name[ENCODING_ONLY], texts, "matrix")
            floor = f"; its encoding alone p50 {statistics.median(encoding):.2f} ms"
        rows.append(Row(f"declaration: QR {fmt} render, fixed mask ({codes} distinct tokens)",
                        f"p50 {statistics.median(ours):.2f} ms{decoded}",
                        f"library default (mask search): p50 {statistics.median(base):.2f} ms"
                        f"{floor}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", type=int, default=200)
    args = parser.parse_args()
    print(f"QR rendering, {args.codes} distinct signed tokens per row, ECC M, {BOX} px/module\n")
    print("| token | option | format | QR version | p50 ms | p95 ms | bytes | read by zxing-cpp |")
    print("|---|---|---|---|---|---|---|---|")
    for label, jws in (("compact 160 chars", False), ("JWS 270+ chars", True)):
        texts = tokens(args.codes, jws)
        version = segno.make(texts[0], error="m", micro=False, boost_error=False).version
        for name, fmt, render in OPTIONS:
            if jws and name.startswith("service"):
                continue
            times, readable, size = measure(render, texts, fmt)
            p95 = statistics.quantiles(times, n=20)[-1]
            read = {"png": f"{readable}/{len(texts)}", "svg": "n/a (vector)"}.get(fmt, "n/a")
            print(f"| {label} | {name} | {fmt} | {version} | {statistics.median(times):.2f} "
                  f"| {p95:.2f} | {size} | {read} |")


if __name__ == "__main__":
    main()
