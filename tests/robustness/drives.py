"""Real small and read-only drives for the robustness suite: loop-mounted ext4 images (CI runs as root).

The image has 1 KB blocks, smaller than a memory page: that is the drive on which SQLite's memory-mapped WAL
index used to kill the process with SIGBUS once it filled up, so it is the one that proves it no longer can.
`leave_free` fills the drive with filler files until exactly the asked room is left; `read_only` remounts it.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

BLOCK = 1024
_FILLER = ".filler"


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


class SmallDrive:
    """A mounted ext4 image of `size` bytes at `path`."""

    def __init__(self, image: Path, path: Path) -> None:
        self.image, self.path = image, path

    def free(self) -> int:
        return shutil.disk_usage(self.path).free

    def leave_free(self, room: int) -> int:
        """Fill the drive until `room` bytes (rounded to blocks) are left; returns the room really left."""
        self.release()
        for index in range(256):
            excess = self.free() - room
            if excess <= 0:
                break
            size = excess - 16 * BLOCK if index == 0 and excess > 32 * BLOCK else BLOCK
            if not self._fill(self.path / f"{_FILLER}-{index}", size):
                break
        return self.free()

    @staticmethod
    def _fill(path: Path, size: int) -> bool:
        """Write `size` zero bytes (or as many as fit); False when not even the file could be created."""
        try:
            handle = open(path, "wb")
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            return False
        with suppress(OSError), handle:
            while size > 0:
                handle.write(b"\0" * min(size, 1 << 20))
                size -= 1 << 20
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def release(self) -> None:
        """Remove the filler: the drive has its room back."""
        for filler in self.path.glob(f"{_FILLER}-*"):
            filler.unlink()

    def read_only(self, on: bool = True) -> None:
        result = _run("mount", "-o", f"remount,{'ro' if on else 'rw'}", str(self.path))
        assert result.returncode == 0, result.stderr

    def leftovers(self) -> list[Path]:
        """Temporary or unfinished files anywhere on the drive (besides the filler)."""
        return [p for p in self.path.rglob("*") if p.name.endswith((".partial", ".tmp", ".part", "-journal"))
                or p.name.startswith(".cdht-")]


@contextmanager
def small_drive(folder: Path, size: int = 16 * 1024 * 1024) -> Iterator[SmallDrive]:
    """Format and mount a `size`-byte ext4 image under `folder`; always unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    image, mountpoint = folder / "drive.img", folder / "drive"
    mountpoint.mkdir()
    with open(image, "wb") as handle:
        handle.truncate(size)
    formatted = _run("mkfs.ext4", "-q", "-F", "-m", "0", "-b", str(BLOCK), str(image))
    assert formatted.returncode == 0, formatted.stderr
    mounted = _run("mount", "-o", "loop", str(image), str(mountpoint))
    if mounted.returncode != 0:
        pytest.fail("Các bài kiểm tra ổ đĩa đầy cần gắn (mount) ảnh ổ đĩa ext4 qua thiết bị loop, tức là chạy với "
                    f"quyền root như CI: {mounted.stderr.strip()}")
    drive = SmallDrive(image, mountpoint)
    try:
        yield drive
    finally:
        with suppress(AssertionError):
            drive.read_only(False)
        for _ in range(20):
            if _run("umount", str(mountpoint)).returncode == 0:
                break
            time.sleep(0.1)
        else:
            _run("umount", "-l", str(mountpoint))
        image.unlink(missing_ok=True)


def mounted_drives() -> list[str]:
    """Mount points currently in the mount table (a test checks none of its drives is left behind)."""
    return [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
