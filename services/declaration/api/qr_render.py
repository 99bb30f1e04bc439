"""Drawing a QR token as PNG or SVG, as fast as bench/qr_render.py measured.

The libraries' default mask search draws the code once per mask pattern to
score it; a fixed mask skips that, and every decoder reads any of the eight
masks (tests check zxing-cpp reads many distinct tokens drawn this way).
Fastest here: PNG with `qrcode` (Pillow), SVG with `segno` (its SVG is also
7× smaller than qrcode's).
"""

from __future__ import annotations

import io

import qrcode
import segno
from qrcode.constants import ERROR_CORRECT_M

MASK = 2
BOX_PX = 8  # a version-7 code: (45 modules + 2 × 4 quiet zone) × 8 = 424 px
BORDER = 4


def png(text: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX_PX, border=BORDER,
                         mask_pattern=MASK)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def svg(text: str) -> bytes:
    code = segno.make(text, error="m", micro=False, boost_error=False, mask=MASK)
    out = io.BytesIO()
    # An opaque light background: a transparent code on a dark page does not scan.
    code.save(out, kind="svg", scale=BOX_PX, border=BORDER, xmldecl=False, light="#fff",
              title="khaibao QR")
    return out.getvalue()
