"""Regenerates the PNG and ICO app icons from cdht.svg (run after editing the SVG).

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/icons/make_icons.py
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main() -> None:
    app = QGuiApplication([])  # noqa: F841 - QPainter needs a Gui application
    renderer = QSvgRenderer(str(HERE / "cdht.svg"))
    images = {size: render(renderer, size) for size in PNG_SIZES}
    images[256].save(HERE / "cdht.png")
    images[48].save(HERE / "cdht-48.png")
    images[256].save(HERE / "cdht.ico", sizes=[(s, s) for s in PNG_SIZES], append_images=list(images.values()))


if __name__ == "__main__":
    main()
