"""Downloading images as one zip, streamed: one image's file read and written at a time, so a big
selection never sits in memory whole."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Generator, Iterable

from jobs.models import Image
from jobs.storage import read_stored_file

logger = logging.getLogger(__name__)


class _ZipChunks:
    """A write-only file for zipfile that hands back what was written since the last `take`."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # zipfile never closes a file it was handed; typeshed's writable file has close()

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_stream(images: Iterable[Image]) -> Generator[bytes]:
    """A zip of the images' original files, produced one image at a time (never all in memory)."""
    out = _ZipChunks()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, image in enumerate(images, start=1):
            extension = image.file.name.rsplit(".", 1)[-1]
            try:
                data = read_stored_file(image.file.name)
            except OSError:
                logger.warning("Stored file missing for image %s", image.pk, exc_info=True)
                continue
            archive.writestr(f"{number:03d}-{image.pk.hex[:8]}.{extension}", data)
            yield out.take()
    yield out.take()
