"""requirements.lock, which `make run` and `make test` install with --require-hashes, covers
pyproject.toml: every direct dependency (dev tools included) at its pinned version, every package
with hashes. A stale lock is caught here, before an install from it goes missing a package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?P<rest>.*?)(?=^\S|\Z)", re.M | re.S)


def locked() -> dict[str, list[tuple[str, str]]]:
    """Each locked package: its (version, entry text) pairs (one per Python-version marker)."""
    entries: dict[str, list[tuple[str, str]]] = {}
    for entry in ENTRY.finditer((ROOT / "requirements.lock").read_text(encoding="utf-8")):
        entries.setdefault(canonicalize_name(entry["name"]), []).append((entry["version"], entry["rest"]))
    return entries


def test_every_direct_dependency_is_locked_at_its_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = [Requirement(line) for line in
              [*project["dependencies"], *project["optional-dependencies"]["dev"]]]
    entries = locked()
    for requirement in direct:
        versions = {version for version, _ in entries.get(canonicalize_name(requirement.name), [])}
        assert versions, f"{requirement.name} is not in requirements.lock: run `make lock`"
        assert all(requirement.specifier.contains(v) for v in versions), (
            f"requirements.lock has {requirement.name} {versions}, pyproject.toml wants "
            f"{requirement.specifier}: run `make lock`")


def test_every_locked_package_has_hashes() -> None:
    entries = locked()
    assert len(entries) > 60  # the transitive closure, not just the ~25 direct pins
    for name, pins in entries.items():
        for _, rest in pins:
            assert "--hash=sha256:" in rest, name
