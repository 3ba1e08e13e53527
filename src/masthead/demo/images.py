"""Demo artwork drawn locally with Pillow: abstract compositions, never downloads.

Each picture is a pure function of its seed, so every run of the loader draws the same
images, and each comes with an English and a Spanish description for its alt text.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageOps
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

HERO_SIZE = (1600, 900)
PORTRAIT_SIZE = (600, 600)
JPEG_QUALITY = 80

# (English name, Spanish name, gradient start, gradient end, shape colours)
PALETTES = [
    ("ochre and slate", "ocre y pizarra", "#2f3a45", "#c98b3a", ["#e9c46a", "#f4a261", "#264653"]),
    (
        "teal and sand",
        "verde azulado y arena",
        "#0b4f55",
        "#e8d8b0",
        ["#2a9d8f", "#f1e3c3", "#e76f51"],
    ),
    (
        "copper and night blue",
        "cobre y azul noche",
        "#101c3d",
        "#b5651d",
        ["#d98c4a", "#f2cc8f", "#3d5a80"],
    ),
    ("moss and cream", "musgo y crema", "#2d3a1f", "#efe6cf", ["#7a8b4a", "#d4c79a", "#a44a3f"]),
    ("brick and grey", "ladrillo y gris", "#3b3b3b", "#b5452f", ["#e0a458", "#d9d9d9", "#6b2d2d"]),
    ("violet and gold", "violeta y oro", "#2b193d", "#d4a017", ["#8e6bbf", "#f0c75e", "#5b3c88"]),
    (
        "sea green and white",
        "verde mar y blanco",
        "#0f3b3a",
        "#f4f4f0",
        ["#3aa68d", "#bfe3d8", "#1c5d73"],
    ),
    ("rust and olive", "óxido y oliva", "#3a3a1e", "#a0522d", ["#c47a3d", "#8a8d3f", "#e6c79c"]),
]

# (kind, English description, Spanish description)
COMPOSITIONS = [
    ("circles", "overlapping translucent circles", "círculos translúcidos superpuestos"),
    ("ridges", "layered mountain ridges", "crestas de montaña en capas"),
    ("bands", "diagonal bands of colour", "franjas diagonales de color"),
    ("grid", "a loose grid of squares", "una cuadrícula suelta de cuadrados"),
]


@dataclass(frozen=True)
class Artwork:
    """A drawn picture (JPEG bytes) with what it shows, in both languages."""

    data: bytes
    alt_en: str
    alt_es: str


def draw(seed: str, *, size: tuple[int, int] = HERO_SIZE) -> Artwork:
    """Draw the composition that ``seed`` names; the same seed gives the same picture."""
    rng = random.Random(seed)  # noqa: S311 (art, not security)
    palette = rng.choice(PALETTES)
    kind, kind_en, kind_es = rng.choice(COMPOSITIONS)
    name_en, name_es, start, end, colours = palette
    width, height = size
    gradient = Image.linear_gradient("L")
    if rng.random() < 0.5:
        # Rotate the 256-pixel square before stretching it, so the ramp spans the width.
        gradient = gradient.rotate(90)
    gradient = gradient.resize(size)
    canvas = ImageOps.colorize(gradient, start, end).convert("RGBA")
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    _SHAPES[kind](pen, rng, width, height, colours)
    picture = Image.alpha_composite(canvas, layer).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Artwork(
        data=buffer.getvalue(),
        alt_en=f"Abstract illustration: {kind_en} in {name_en}.",
        alt_es=f"Ilustración abstracta: {kind_es} en tonos {name_es}.",
    )


def _rgba(colour: str, alpha: int) -> tuple[int, int, int, int]:
    value = int(colour.lstrip("#"), 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF, alpha)


def _circles(pen: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, colours: list) -> None:
    for _ in range(rng.randint(5, 9)):
        radius = rng.randint(h // 8, h // 2)
        x, y = rng.randint(0, w), rng.randint(0, h)
        pen.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=_rgba(rng.choice(colours), rng.randint(70, 150)),
        )


def _ridges(pen: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, colours: list) -> None:
    for layer in range(4):
        base = h * (0.45 + 0.14 * layer)
        points = [(0, h)]
        for step in range(9):
            points.append((w * step / 8, base - rng.randint(0, int(h * 0.25))))
        points.append((w, h))
        pen.polygon(points, fill=_rgba(colours[layer % len(colours)], 120 + 30 * layer))


def _bands(pen: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, colours: list) -> None:
    for _ in range(rng.randint(4, 7)):
        x = rng.randint(-w // 2, w)
        span = rng.randint(w // 12, w // 5)
        pen.polygon(
            [(x, 0), (x + span, 0), (x + span + h, h), (x + h, h)],
            fill=_rgba(rng.choice(colours), rng.randint(80, 170)),
        )


def _grid(pen: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, colours: list) -> None:
    cell = rng.choice([w // 8, w // 10, w // 12])
    for x in range(0, w, cell):
        for y in range(0, h, cell):
            if rng.random() < 0.55:
                jitter = rng.randint(-cell // 6, cell // 6)
                pen.rectangle(
                    (x + jitter, y - jitter, x + cell * 0.8, y + cell * 0.8 - jitter),
                    fill=_rgba(rng.choice(colours), rng.randint(90, 200)),
                )


_SHAPES = {"circles": _circles, "ridges": _ridges, "bands": _bands, "grid": _grid}


def save_image(*, title: str, filename: str, artwork: Artwork) -> object:
    """Store ``artwork`` as a Wagtail image in the default collection."""
    image_model = get_image_model()
    image = image_model(title=title, file=ImageFile(io.BytesIO(artwork.data), name=filename))
    image.file_size = len(artwork.data)
    image.file_hash = hash_filelike(io.BytesIO(artwork.data))
    image.save()
    return image
