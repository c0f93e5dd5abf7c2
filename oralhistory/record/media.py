"""Recordings as files: what kind of media a file is (read from its content, never its name),
how long it plays, and where it is kept (the media directory, by SHA-256).

An upload is written, as it arrives, to a temporary file in the media directory while it is
hashed (`Incoming`): it is never held in memory whole, and it becomes a stored file only by
being renamed into place (`keep`) once it has been checked. The record (`models.Recording`)
holds the SHA-256, from which the file's place follows (`path_of`). No Flask here.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import NotMedia, TooLarge
from ..messages import Message, _

INCOMING = ".incoming"  # the media directory's folder for uploads being received
HEAD_BYTES = 64  # enough of a file's start to tell every accepted kind

# What the archive accepts, in words for the message that refuses anything else.
ACCEPTED = "WAV, MP3, Ogg (Vorbis or Opus), FLAC, MP4 or M4A, QuickTime (MOV), WebM or Matroska"

# the file name ending a recording of each kind is given when it leaves the archive
EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "video/ogg": ".ogv",
    "audio/flac": ".flac",
    "audio/mp4": ".m4a",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "video/x-matroska": ".mkv",
}

# ISO base media file format brands that are sound only
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


@dataclass(frozen=True)
class MediaKind:
    """A kind of media the archive keeps: its Internet media type and a plain name."""

    media_type: str
    name: str

    @property
    def is_video(self) -> bool:
        """Whether the recording is a video (its media type is `video/...`)."""
        return self.media_type.startswith("video/")


def _mpeg_frame(head: bytes) -> bool:
    # an MPEG audio frame header: 11 bits of sync, a known version and layer III/II/I
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    return (head[1] >> 3) & 0b11 != 0b01 and (head[1] >> 1) & 0b11 != 0


def sniff(head: bytes) -> MediaKind | None:
    """The kind of media a file is, from its first bytes; None when it is none the archive
    accepts."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return MediaKind("audio/wav", "WAV")
    if head[:3] == b"ID3" or _mpeg_frame(head):
        return MediaKind("audio/mpeg", "MP3")
    if head[:4] == b"OggS":
        if b"OpusHead" in head:
            return MediaKind("audio/ogg", "Ogg Opus")
        if b"theora" in head:
            return MediaKind("video/ogg", "Ogg Theora")
        return MediaKind("audio/ogg", "Ogg Vorbis")
    if head[:4] == b"fLaC":
        return MediaKind("audio/flac", "FLAC")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return MediaKind("audio/mp4", "M4A")
        if brand == b"qt  ":
            return MediaKind("video/quicktime", "QuickTime")
        return MediaKind("video/mp4", "MP4")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        if b"webm" in head:
            return MediaKind("video/webm", "WebM")
        return MediaKind("video/x-matroska", "Matroska")
    return None


# Kinds of file people upload by mistake, named in the refusal.
_OTHER_KINDS = [
    (b"%PDF", _("a PDF document")),
    (b"PK\x03\x04", _("a ZIP archive (or a Word, Excel or OpenDocument file)")),
    (b"\x89PNG", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF8", _("a GIF image")),
    (b"{\\rtf", _("an RTF document")),
    (b"\xd0\xcf\x11\xe0", _("an old Microsoft Office document")),
]


def what_it_is(head: bytes) -> Message:
    """What a file that is not accepted media seems to be, in a few words."""
    if not head:
        return _("an empty file")
    for magic, name in _OTHER_KINDS:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF":
        return _("a RIFF file of another kind than WAVE")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not merely a character cut at the end
            return _("a file beginning with the bytes %(bytes)s", bytes=head[:8].hex(" "))
    return _("text")


def read_kind(path: Path) -> MediaKind:
    """The kind of media the file at `path` is; raise `NotMedia` saying what it is instead."""
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
    kind = sniff(head)
    if kind is None:
        raise NotMedia(
            _(
                "This file is %(found)s, not a recording: nothing was stored. The archive "
                "accepts audio or video as %(accepted)s.",
                found=what_it_is(head),
                accepted=ACCEPTED,
            )
        )
    return kind


def read_duration(path: Path) -> float | None:
    """How long the recording at `path` plays, in seconds (mutagen reads it); None when the
    file does not say (a recording is kept all the same)."""
    import mutagen

    try:
        found = mutagen.File(path)
    except Exception:  # mutagen raises many kinds of error on damaged files
        return None
    length = getattr(getattr(found, "info", None), "length", None)
    return round(float(length), 3) if length else None


class Incoming:
    """A file being received into the media directory's `.incoming/` folder, hashed and
    counted as it is written: the stream an upload is parsed into.

    `discard` removes it; `keep` renames it into its place by SHA-256.
    """

    def __init__(self, media_dir: Path, limit: int) -> None:
        folder = Path(media_dir) / INCOMING
        folder.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open)
            dir=folder, prefix="upload-", delete=False
        )
        self.path = Path(self._file.name)
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        """Write `data` to the file and its hash; raise `TooLarge` past the limit."""
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(f"the recording is larger than {self.limit} bytes")
        self._hash.update(data)
        return self._file.write(data)

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes written so far, in hexadecimal."""
        return self._hash.hexdigest()

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move within the file being received, as a file's `seek` does."""
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        """The position in the file being received."""
        return self._file.tell()

    def read(self, size: int = -1) -> bytes:
        """Read from the file being received (the form parser reads it back)."""
        return self._file.read(size)

    def flush(self) -> None:
        """Flush what was written to the operating system."""
        self._file.flush()

    def close(self) -> None:
        """Close the file being received (it stays on disk until kept or discarded)."""
        self._file.close()

    @property
    def closed(self) -> bool:
        """Whether the file being received is closed."""
        return self._file.closed

    def readable(self) -> bool:
        """Always True: the upload is read back once received."""
        return True

    def seekable(self) -> bool:
        """Always True: the file is on disk."""
        return True

    def writable(self) -> bool:
        """Always True: the upload is written into it."""
        return True

    def finish(self) -> None:
        """Make sure every byte is on disk before the file is kept."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def discard(self) -> None:
        """Remove the file (a refused or abandoned upload leaves nothing behind)."""
        self._file.close()
        self.path.unlink(missing_ok=True)


def path_of(media_dir: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 is kept: `ab/abcdef…` under the media directory."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return Path(media_dir) / sha256[:2] / sha256


def keep(media_dir: Path, incoming: Incoming) -> tuple[Path, bool]:
    """Rename a received file into its place by SHA-256; return the place and whether the
    file is new (False: the same bytes were kept already, and the upload is dropped)."""
    incoming.finish()
    target = path_of(media_dir, incoming.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.stat().st_size == incoming.size:
        incoming.discard()
        return target, False
    os.replace(incoming.path, target)
    return target, True


def forget(media_dir: Path, sha256: str) -> None:
    """Remove the kept file with this SHA-256 (the caller checks no recording uses it)."""
    path_of(media_dir, sha256).unlink(missing_ok=True)


DAMAGED = ".damaged"  # the media directory's folder of marks left by `flask check`


def _damage_mark(media_dir: Path, sha256: str) -> Path:
    return Path(media_dir) / DAMAGED / sha256


def mark_damaged(media_dir: Path, sha256: str, damaged: bool) -> None:
    """Remember (or forget) that the kept file with this SHA-256 no longer has these bytes,
    as `flask check` found: readers are then told it cannot be played."""
    mark = _damage_mark(media_dir, sha256)
    if damaged:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    else:
        mark.unlink(missing_ok=True)


def available(media_dir: Path, sha256: str, size: int) -> bool:
    """Whether the recording with this SHA-256 and size can be served: its file is there,
    of its size, and `flask check` has not found its bytes changed. (Cheap: no hashing.)"""
    try:
        path = path_of(media_dir, sha256)
        return (
            path.is_file()
            and path.stat().st_size == size
            and not _damage_mark(media_dir, sha256).exists()
        )
    except (OSError, ValueError):
        return False


STALE_INCOMING_SECONDS = 3600  # an upload not written to for an hour was cut off


def incoming_files(media_dir: Path) -> list[tuple[Path, int, float]]:
    """The files in the media directory's `.incoming/` folder: (path, size, seconds since it
    was last written to), oldest first."""
    folder = Path(media_dir) / INCOMING
    if not folder.is_dir():
        return []
    now = time.time()
    found = []
    for path in folder.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:  # kept or discarded meanwhile
            continue
        if path.is_file():
            found.append((path, stat.st_size, now - stat.st_mtime))
    return sorted(found, key=lambda item: -item[2])


def remove_stale_incoming(
    media_dir: Path, older_than: float = STALE_INCOMING_SECONDS
) -> list[tuple[str, int]]:
    """Remove the half-received uploads a killed process left in `.incoming/` (not written to
    for `older_than` seconds: an upload being received is written to every few seconds);
    return (name, size) of each removed."""
    removed = []
    for path, size, idle in incoming_files(media_dir):
        if idle < older_than:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append((path.name, size))
    return removed
