"""requirements.lock holds the versions the tests pass with, and the make targets install them.

``pyproject.toml`` keeps ranges (an upper bound on the next major version of the libraries
whose API Holdspace leans on); ``requirements.lock`` pins one version of every runtime, test
and build dependency with its hashes, for every platform (``make lock`` writes it); the
Makefile installs exactly the lock, hashes checked, then Holdspace itself without dependencies.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support.paths import ROOT

LOCK = ROOT / "requirements.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
BOUNDED = ("textual", "bleak", "bumble", "apprise")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(?:;\s*(.+?))?\s*\\?$")


@dataclass(frozen=True, slots=True)
class Pin:
    """One package of the lock: its version, the platforms it is for, its hashes."""

    name: str
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self) -> bool:
        """Whether this machine installs it."""
        return self.marker is None or self.marker.evaluate()


def read_lock() -> dict[str, list[Pin]]:
    """The lock's pins by package name (several when versions differ by platform)."""
    pins: dict[str, list[Pin]] = {}
    current: tuple[str, Version, Marker | None] | None = None
    hashes: list[str] = []

    def close() -> None:
        if current is not None:
            name, version, marker = current
            pins.setdefault(name, []).append(Pin(name, version, marker, tuple(hashes)))

    for line in LOCK.read_text("utf-8").splitlines():
        found = _PIN.match(line)
        if found:
            close()
            marker = Marker(found[3]) if found[3] else None
            current, hashes = (canonicalize_name(found[1]), Version(found[2]), marker), []
        elif line.strip().startswith("--hash="):
            hashes.append(line.strip().removeprefix("--hash=").rstrip(" \\"))
        else:
            assert not line.strip() or line.lstrip().startswith("#"), f"unexpected line {line!r}"
    close()
    return pins


def pin_here(pins: dict[str, list[Pin]], name: str) -> Pin | None:
    """The pin of ``name`` this machine installs (None when it installs none)."""
    here = [pin for pin in pins.get(canonicalize_name(name), []) if pin.applies()]
    assert len(here) <= 1, f"{name} is pinned twice for this machine"
    return here[0] if here else None


def direct_requirements(*, build: bool = True) -> list[Requirement]:
    """What pyproject.toml asks for: run time, tests and (``build``) the build backend."""
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    if build:
        wanted += PYPROJECT["build-system"]["requires"]
    return [Requirement(text) for text in wanted]


def test_every_requirement_is_pinned_within_its_range_with_hashes() -> None:
    pins = read_lock()
    for requirement in direct_requirements():
        found = pins.get(canonicalize_name(requirement.name))
        assert found, f"{requirement} is not in requirements.lock: run `make lock`"
        for pin in found:
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"requirements.lock pins {pin.name}=={pin.version} outside {requirement}: "
                "run `make lock`"
            )
    for pin in (pin for found in pins.values() for pin in found):
        assert pin.hashes, f"{pin.name} has no hash"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in pin.hashes), pin.name


def test_the_apis_we_lean_on_have_an_upper_bound() -> None:
    by_name = {r.name: r for r in direct_requirements()}
    pins = read_lock()
    for name in BOUNDED:
        uppers = [s for s in by_name[name].specifier if s.operator == "<"]
        assert len(uppers) == 1, f"{name} needs an upper bound: {by_name[name]}"
        assert all(pin.version < Version(uppers[0].version) for pin in pins[name])


def test_the_tests_run_with_the_locked_versions() -> None:
    """The environment running the tests holds the locked version of each direct requirement
    (`make test` installs the lock first): a green run vouches for the lock."""
    pins = read_lock()
    for requirement in direct_requirements(build=False):
        pin = pin_here(pins, requirement.name)
        if pin is not None:
            installed = Version(metadata.version(requirement.name))
            assert installed == pin.version, (
                f"{requirement.name} {installed} is installed, the lock says {pin.version}: "
                "run `make test` (it installs the lock)"
            )


@pytest.mark.parametrize("target", ["demo", "test"])
def test_make_installs_exactly_the_lock(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    stamp = re.search(r"^\$\(STAMP\):(.*)$", makefile, re.M)
    assert stamp is not None and "$(LOCK)" in stamp[1], "the install must redo when the lock does"
    assert re.search(rf"^{target}:.*\$\(STAMP\)", makefile, re.M)
    assert "install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "install --quiet --no-deps --no-build-isolation -e ." in makefile
    assert "pip install -e '.[test]'" not in makefile
