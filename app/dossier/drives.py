"""Removable drives (USB sticks) the package can be written to, on Linux and Windows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DRIVE_REMOVABLE = 2


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str
    free_bytes: int

    def describe(self) -> str:
        return f"{self.label} ({self.path}) — còn trống {self.free_bytes / 1024**3:.1f} GB"


def parse_lsblk(output: str) -> list[tuple[str, str]]:
    """(mount point, label) of removable devices in `lsblk -J -o NAME,RM,LABEL,MOUNTPOINT` output."""
    found: list[tuple[str, str]] = []

    def walk(devices: list[dict[str, Any]], removable: bool) -> None:
        for device in devices:
            is_removable = removable or str(device.get("rm")).lower() in ("1", "true")
            mounts = device.get("mountpoints") or [device.get("mountpoint")]
            for mount in mounts:
                if is_removable and mount and mount != "[SWAP]":
                    found.append((mount, device.get("label") or device.get("name") or mount))
            walk(device.get("children") or [], is_removable)

    try:
        walk(json.loads(output).get("blockdevices") or [], False)
    except (ValueError, AttributeError):
        return []
    return found


def _linux_candidates() -> list[tuple[str, str]]:
    candidates: list[tuple[str, str]] = []
    try:
        result = subprocess.run(["lsblk", "-J", "-o", "NAME,RM,LABEL,MOUNTPOINT"], capture_output=True, text=True,
                                timeout=5)
        candidates += parse_lsblk(result.stdout)
    except (OSError, subprocess.SubprocessError):
        pass
    for pattern in ("/media/*", "/media/*/*", "/run/media/*/*"):
        candidates += [(str(p), p.name) for p in Path("/").glob(pattern.lstrip("/")) if os.path.ismount(p)]
    return candidates


def _windows_candidates() -> list[tuple[str, str]]:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel32.GetLogicalDrives()
    found = []
    for index in range(26):
        if mask & (1 << index):
            root = f"{chr(65 + index)}:\\"
            if kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)) == DRIVE_REMOVABLE:
                name = ctypes.create_unicode_buffer(261)
                kernel32.GetVolumeInformationW(ctypes.c_wchar_p(root), name, 261, None, None, None, None, 0)
                found.append((root, name.value or f"Ổ {root[:2]}"))
    return found


def removable_drives() -> list[Drive]:
    """Mounted removable drives, each with its free space; an empty list when none is plugged in."""
    candidates = _windows_candidates() if sys.platform == "win32" else _linux_candidates()
    drives, seen = [], set()
    for mount, label in candidates:
        path = Path(mount)
        if str(path) in seen or not path.is_dir():
            continue
        seen.add(str(path))
        try:
            free = shutil.disk_usage(path).free
        except OSError:
            continue
        drives.append(Drive(path, label, free))
    return drives
