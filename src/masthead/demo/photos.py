"""Photograph-sized demo images, made locally: a landscape-like scene with a photo's grain.

The drawings in ``images`` are small and flat, so they cost a reader almost nothing; a real
publication's heroes are photographs of several megapixels whose renditions carry texture.
These images compress like photographs (a sky's gradient, soft hills, noise at every scale,
sensor grain), so the weight a reader downloads (bench/weight.py) is measured on real weight.
Never downloaded. Each is a pure function of its seed, and kept under the data folder once
made, so a second ``masthead demo`` does not spend the second it takes to make one again.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from PIL import Image, ImageChops

from masthead.demo.images import Artwork

SIZE = (2400, 1600)  # 3.8 megapixels, 3:2 like most cameras
JPEG_QUALITY = 88  # what a photographer's export typically is
_VERSION = 1  # bump when the drawing changes, so cached files are made again


@dataclass(frozen=True)
class _Scene:
    sky_top: tuple[int, int, int]
    sky_horizon: tuple[int, int, int]
    hills: tuple[tuple[int, int, int], ...]
    alt_en: str
    alt_es: str


_SCENES = (
    _Scene(
        (70, 110, 160),
        (236, 196, 150),
        ((92, 84, 70), (58, 60, 48), (34, 36, 30)),
        "Generated landscape-like image: dry mountain ridges under an evening sky.",
        "Imagen generada con aspecto de paisaje: crestas de montaña secas bajo un cielo de tarde.",
    ),
    _Scene(
        (120, 150, 175),
        (210, 205, 190),
        ((110, 120, 96), (70, 88, 66), (40, 52, 40)),
        "Generated landscape-like image: green hills fading into morning haze.",
        "Imagen generada con aspecto de paisaje: colinas verdes que se pierden en la bruma.",
    ),
    _Scene(
        (40, 52, 90),
        (200, 120, 80),
        ((120, 80, 60), (80, 52, 44), (36, 26, 26)),
        "Generated landscape-like image: red earth slopes at dusk.",
        "Imagen generada con aspecto de paisaje: laderas de tierra roja al anochecer.",
    ),
    _Scene(
        (150, 170, 190),
        (230, 225, 215),
        ((150, 140, 120), (100, 96, 86), (60, 58, 54)),
        "Generated landscape-like image: pale stone plateau under an overcast sky.",
        "Imagen generada con aspecto de paisaje: meseta de piedra clara bajo un cielo nublado.",
    ),
)


def photo(seed: str) -> Artwork:
    """The photograph-like image ``seed`` names, as JPEG bytes with its alt texts."""
    scene = _SCENES[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(_SCENES)]
    cached = _cache_path(seed)
    if cached is not None and cached.exists():
        data = cached.read_bytes()
    else:
        data = _render(seed, scene)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(cached)  # never a half-written file under the final name
    return Artwork(data=data, alt_en=scene.alt_en, alt_es=scene.alt_es)


def _cache_path(seed: str) -> Path | None:
    data_dir = getattr(settings, "DATA_DIR", None)
    if not data_dir:
        return None
    name = hashlib.sha256(f"{_VERSION}:{seed}".encode()).hexdigest()[:16]
    return Path(data_dir) / "demo-photos" / f"{name}.jpg"


def _noise(rng: np.random.Generator, width: int, height: int, cell: int) -> np.ndarray:
    """Smooth noise with features about ``cell`` pixels across, in -1..1."""
    small = rng.random((max(2, height // cell + 2), max(2, width // cell + 2)), dtype=np.float32)
    layer = Image.fromarray(small * 2 - 1, mode="F").resize((width, height), Image.BICUBIC)
    return np.asarray(layer)


def _render(seed: str, scene: _Scene) -> bytes:
    # The scene is drawn at a third of the size and enlarged, then grain is added at full
    # size: the numpy work on 3.8 megapixels took seconds, this takes a fraction of one.
    width, height = SIZE
    w, h = width // 3, height // 3
    rng = np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))
    # Texture at several scales, as light and surfaces have, down to a few pixels.
    texture = sum(
        _noise(rng, w, h, cell) * weight
        for cell, weight in ((140, 0.5), (40, 0.3), (10, 0.2), (3, 0.15))
    )
    rows = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    sky_top = np.array(scene.sky_top, np.float32)
    horizon = np.array(scene.sky_horizon, np.float32)
    picture = sky_top + (horizon - sky_top) * np.clip(rows / 0.6, 0, 1)
    picture = picture + texture[..., None] * 12  # clouds and haze
    columns = np.arange(w, dtype=np.float32)
    row_index = np.arange(h, dtype=np.float32)[:, None]
    for layer, colour in enumerate(scene.hills):
        # Ridges: sums of sines with random phases, lower and darker toward the viewer.
        base = h * (0.45 + 0.15 * layer)
        ridge = base + sum(
            np.sin(columns / w * np.pi * f + rng.uniform(0, 2 * np.pi)) * h * a
            for f, a in ((1.3, 0.06), (3.7, 0.03), (11.0, 0.012), (29.0, 0.005), (90.0, 0.002))
        )
        ground = (row_index > ridge[None, :])[..., None]
        # Farther ridges are hazier: mixed with the horizon's colour.
        haze = 0.45 * (len(scene.hills) - 1 - layer) / max(1, len(scene.hills) - 1)
        shade = (np.array(colour, np.float32) * (1 - haze) + horizon * haze) * (
            1 + 0.45 * texture[..., None]
        )
        picture = np.where(ground, shade, picture)
    # Fine detail (gravel, leaves, film) that survives a rendition's downscaling.
    picture = picture + rng.normal(0, 7, picture.shape).astype(np.float32)
    small = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8), "RGB")
    image = small.resize(SIZE, Image.BICUBIC)
    grain = Image.effect_noise(SIZE, 10).point(lambda v: v // 2 + 64)  # sensor grain
    image = ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), offset=-128)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()
