"""Reading QR codes back with a real decoder (zxing-cpp), as a scanner's camera would."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

# QR only: on a busy pattern a 1D format can report a false second barcode.
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def read_qr(image: bytes | Image.Image) -> list[str]:
    """The text of every QR code in a PNG (bytes) or an image, in the decoder's order."""
    picture = Image.open(io.BytesIO(image)) if isinstance(image, bytes) else image
    return [code.text for code in zxingcpp.read_barcodes(picture, formats=QR_ONLY)]
