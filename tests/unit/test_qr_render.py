"""The rendered QR codes are read back by a real decoder (zxing-cpp) to the exact token."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta

import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from libs.runtime.qr_tokens import Kind, QrSigner, QrVerifier
from services.declaration.api import qr_render
from tests.support.qr_codes import QR_ONLY, read_qr

NOW = datetime.now(UTC)
KEY = Ed25519PrivateKey.generate()


def signed(count: int) -> list[str]:
    signer = QrSigner(KEY)
    return [signer.sign(str(uuid.uuid4()), Kind.declaration, NOW, NOW + timedelta(days=3))
            for _ in range(count)]


def read(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=QR_ONLY))


def test_many_distinct_tokens_drawn_with_the_fixed_mask_decode_exactly() -> None:
    # Distinct data gives distinct module patterns: a fixed mask must never make one unreadable.
    verifier = QrVerifier([KEY.public_key()])
    for token in signed(60):
        found = read(qr_render.png(token))
        assert [code.text for code in found] == [token]
        assert found[0].format == zxingcpp.BarcodeFormat.QRCode
        assert verifier.verify(found[0].text).expires_at > NOW


def test_the_code_is_a_small_version_7_with_medium_error_correction() -> None:
    [found] = read(qr_render.png(signed(1)[0]))
    assert found.symbology_identifier.startswith("]Q")
    image = Image.open(io.BytesIO(qr_render.png(signed(1)[0])))
    assert image.size == ((45 + 2 * qr_render.BORDER) * qr_render.BOX_PX,) * 2


def test_the_png_written_here_has_the_pixels_of_segnos_own_png() -> None:
    # The rows are written by qr_render itself: a reference encoder must draw the same.
    for token in signed(5):
        ours = Image.open(io.BytesIO(qr_render.png(token)))
        reference = io.BytesIO()
        qr_render.encode(token).save(reference, kind="png", scale=qr_render.BOX_PX,
                                     border=qr_render.BORDER)
        theirs = Image.open(reference)
        assert ours.mode == "1" and ours.size == theirs.size
        assert ours.convert("L").tobytes() == theirs.convert("L").tobytes()


def test_a_scaled_down_photo_like_copy_still_decodes() -> None:
    token = signed(1)[0]
    image = Image.open(io.BytesIO(qr_render.png(token))).convert("L").resize((190, 190))
    assert read_qr(image) == [token]


def test_the_svg_is_well_formed_with_an_opaque_background() -> None:
    root = ElementTree.fromstring(qr_render.svg(signed(1)[0]))
    assert root.tag.endswith("svg")
    paths = [el for el in root.iter() if el.tag.endswith("path")]
    assert len(paths) >= 2  # the light background and the dark modules
