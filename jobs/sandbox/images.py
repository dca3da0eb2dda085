"""Real pictures for the sandbox: prompt-coloured patterns, and edits that visibly change input."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import textwrap

from PIL import Image, ImageDraw, ImageFont, ImageOps

DEFAULT_SIZE = (1024, 1024)
MAX_SIDE = 4096
SIZE_PATTERN = re.compile(r"^\s*(\d{2,5})\s*[x*\u00d7]\s*(\d{2,5})\s*$", re.IGNORECASE)
FORMATS = {
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}


def parse_size(
    size: str | None, default: tuple[int, int] | None = DEFAULT_SIZE
) -> tuple[int, int] | None:
    """ "1024x1024" or "1024*1024" → (1024, 1024); "auto", empty or odd values → default."""
    match = SIZE_PATTERN.match(size or "")
    if not match:
        return default
    width, height = int(match.group(1)), int(match.group(2))
    return min(width, MAX_SIDE), min(height, MAX_SIDE)


def size_for_aspect(aspect_ratio: str | None, resolution: str | None) -> tuple[int, int]:
    """A size for grok's aspect ratio + resolution: the long side is 1024 (1k) or 2048 (2k)."""
    long_side = 2048 if (resolution or "").lower() == "2k" else 1024
    try:
        wide, tall = (float(part) for part in (aspect_ratio or "").split(":"))
    except ValueError:
        return long_side, long_side
    if wide >= tall:
        return long_side, max(16, round(long_side * tall / wide))
    return max(16, round(long_side * wide / tall)), long_side


def palette(prompt: str) -> tuple[tuple[int, int, int], tuple[int, int, int], int]:
    """Background colour, accent colour and pattern number, all from the prompt's hash."""
    digest = hashlib.sha256(prompt.encode()).digest()
    background = (digest[0], digest[1], digest[2])
    accent = tuple(255 - channel for channel in background)
    return background, accent, digest[3] % 3


def render_generated(prompt: str, size: tuple[int, int], index: int = 0) -> Image.Image:
    background, accent, pattern = palette(prompt)
    image = Image.new("RGB", size, background)
    _draw_pattern(ImageDraw.Draw(image), size, accent, pattern, index)
    _draw_caption(image, f"{prompt} #{index + 1}")
    return image


def render_edit(
    source: bytes,
    mask: bytes | None,
    prompt: str,
    size: tuple[int, int] | None,
    index: int = 0,
) -> Image.Image:
    """The source image with the prompt's pattern painted where the mask is transparent
    (or, without a mask, where the source is transparent; or everywhere, half-blended)."""
    base = ImageOps.exif_transpose(Image.open(io.BytesIO(source))).convert("RGBA")
    if size is not None:
        base = base.resize(size)
    region = _edit_region(base, mask)
    painted = render_generated(prompt, base.size, index).convert("RGBA")
    if region is None:
        result = Image.blend(base, painted, 0.5)
    else:
        result = Image.composite(painted, base, region)
    result = result.convert("RGB")
    _draw_caption(result, f"edit: {prompt} #{index + 1}")
    return result


def _edit_region(base: Image.Image, mask: bytes | None) -> Image.Image | None:
    """An L image, 255 where the edit goes: alpha 0 in the mask (or in the source itself)."""
    alpha = base.getchannel("A")
    if mask is not None:
        alpha = Image.open(io.BytesIO(mask)).convert("RGBA").resize(base.size).getchannel("A")
    region = alpha.point(lambda value: 255 if value == 0 else 0)
    return region if region.getbbox() else None


def _draw_pattern(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    colour: tuple[int, ...],
    pattern: int,
    index: int,
) -> None:
    width, height = size
    step = max(8, min(width, height) // (8 + index))
    if pattern == 0:  # diagonal stripes
        for offset in range(-height, width, step * 2):
            draw.polygon(
                [
                    (offset, 0),
                    (offset + step, 0),
                    (offset + step + height, height),
                    (offset + height, height),
                ],
                fill=colour,
            )
    elif pattern == 1:  # chequerboard
        for top in range(0, height, step):
            for left in range((top // step) % 2 * step, width, step * 2):
                draw.rectangle([left, top, left + step - 1, top + step - 1], fill=colour)
    else:  # concentric rings
        centre_x, centre_y = width // 2, height // 2
        for radius in range(max(width, height), 0, -step * 2):
            box = [centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius]
            draw.ellipse(box, outline=colour, width=max(2, step // 2))


def _draw_caption(image: Image.Image, text: str) -> None:
    width, height = image.size
    font_size = max(10, min(width, height) // 20)
    try:
        font = ImageFont.load_default(size=font_size)
    except (OSError, TypeError):  # Pillow without FreeType
        font = ImageFont.load_default()
    lines = textwrap.wrap(text, width=max(10, width // (font_size // 2 + 1)))[:4]
    if not lines:
        return
    draw = ImageDraw.Draw(image)
    band_height = (font_size + 6) * len(lines) + 8
    draw.rectangle([0, height - band_height, width, height], fill=(0, 0, 0))
    for number, line in enumerate(lines):
        draw.text(
            (8, height - band_height + 4 + number * (font_size + 6)), line, fill="white", font=font
        )


def encode(image: Image.Image, output_format: str = "png") -> tuple[bytes, str]:
    """(bytes, content type) in png, jpeg or webp."""
    pil_format, content_type = FORMATS.get(output_format, FORMATS["png"])
    if pil_format == "JPEG":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    options = {"compress_level": 3} if pil_format == "PNG" else {"quality": 85}
    image.save(buffer, pil_format, **options)
    return buffer.getvalue(), content_type


def looks_like_image(data: bytes) -> str | None:
    """The Pillow format name if `data` is a readable image, else None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format
    except Exception:
        return None


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@functools.cache
def noise_png(size: tuple[int, int]) -> bytes:
    """A PNG of random pixels (incompressible, like a photograph); made once per size."""
    width, height = size
    picture = Image.frombytes("RGB", size, os.urandom(width * height * 3))
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)
    return out.getvalue()
