"""The software a strap's behaviour depends on, by version.

Holdspace's own, Python's, the operating system's, the Bluetooth stack's (Bleak and the
platform backend it drives; BlueZ through ``bluetoothctl --version`` where there is one),
and the libraries of the beat path and the screen. A package that is not installed reads
``None``. Nothing is imported to learn a version (:func:`importlib.metadata.version` reads
the installed metadata), so Textual stays out of a headless command.
"""

from __future__ import annotations

import importlib.metadata
import platform
import shutil
import subprocess
import sys
from typing import Final

__all__ = ["PACKAGES", "bluez_version", "run_tool", "software_versions"]

PACKAGES: Final = (
    "bleak",
    "dbus-fast",
    "winrt-Windows.Devices.Bluetooth",
    "pyobjc-framework-CoreBluetooth",
    "bumble",
    "numpy",
    "scipy",
    "neurokit2",
    "textual",
)
"""Bleak, its backend on Linux (dbus-fast), Windows (winrt) and macOS (pyobjc), the
emulated strap's radio (Bumble), the numerics and the screen."""
COMMAND_TIMEOUT_S: Final = 5.0
"""``bluetoothctl`` waits for ever for a bluetoothd that is not running: give up after this."""


def software_versions(holdspace_version: str) -> dict[str, str | None]:
    """Name -> version of Holdspace, Python, the OS, BlueZ and :data:`PACKAGES`."""
    versions: dict[str, str | None] = {
        "holdspace": holdspace_version,
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "os": platform.platform(),
        "machine": platform.machine(),
        "bluez": bluez_version(),
    }
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def bluez_version() -> str | None:
    """BlueZ's version from ``bluetoothctl --version`` ("5.66"), or None without BlueZ."""
    if not sys.platform.startswith("linux"):
        return None
    output = run_tool(["bluetoothctl", "--version"])
    if not output:
        return None
    return output.strip().rsplit(" ", 1)[-1] or None


def run_tool(command: list[str]) -> str | None:
    """A system tool's standard output, or None when it is missing, fails or hangs."""
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
