"""Server-sent events: the data of each event in a stream of byte chunks, in one pass.

`http.post_json_events` reads a streamed answer through it (OpenAI's partial images).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def sse_data(chunks: Iterable[bytes]) -> Iterator[str]:
    """The data of each server-sent event in a stream of byte chunks, in one pass.

    Lines end with CRLF, LF or CR; `data:` lines of one event are joined with newlines, and a
    blank line ends the event; other fields and comments are skipped. Each byte is searched once
    for a line ending however long its line (the unfinished line is not searched again when
    the next chunk comes), and a line is kept only until it ends.
    """
    pending = bytearray()
    searched = 0  # `pending[:searched]` holds no line ending
    data: list[bytes] = []
    for chunk in chunks:
        pending += chunk
        lines, consumed = _complete_lines(pending, searched, final=False)
        del pending[:consumed]
        searched = max(len(pending) - 1, 0)  # a CR at the very end is looked at again
        for line in lines:
            yield from _take_line(line, data)
    lines, _consumed = _complete_lines(pending, 0, final=True)
    for line in lines:
        yield from _take_line(line, data)
    if data:  # a stream that ended without the blank line after its last event
        yield b"\n".join(data).decode("utf-8", errors="replace")


def _complete_lines(buffer: bytearray, searched: int, *, final: bool) -> tuple[list[bytes], int]:
    """The whole lines at the start of `buffer` and how many bytes they took; the search for
    the first line ending starts at `searched`. A CR as the last byte may be the first half of
    a CRLF, so it waits for more unless the stream has ended."""
    lines, start, size = [], 0, len(buffer)
    while start < size:
        look_from = max(start, searched)
        newline, carriage = buffer.find(b"\n", look_from), buffer.find(b"\r", look_from)
        ends = [position for position in (newline, carriage) if position != -1]
        if not ends:
            break
        end = min(ends)
        if buffer[end] == 13 and end + 1 == size and not final:  # 13: CR
            break
        lines.append(bytes(buffer[start:end]))
        crlf = buffer[end] == 13 and end + 1 < size and buffer[end + 1] == 10  # 10: LF
        start = end + (2 if crlf else 1)
    if final and start < size:
        lines.append(bytes(buffer[start:]))
        start = size
    return lines, start


def _take_line(line: bytes, data: list[bytes]) -> Iterator[str]:
    if not line:
        if data:
            yield b"\n".join(data).decode("utf-8", errors="replace")
            data.clear()
        return
    if line.startswith(b"data:"):
        value = line[5:]
        data.append(value[1:] if value.startswith(b" ") else value)
