"""The docs site (MkDocs, Material theme) builds with `mkdocs build --strict`.

mkdocs.yml makes a broken link, a missing anchor and a page left out of the nav warnings, and
--strict turns every warning into a failed build; the tests below break each once in a copy of
the docs and require the build to fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readme_runner import REPO

TIMEOUT_S = 180


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
         "--site-dir", str(site)],
        capture_output=True, text=True, timeout=TIMEOUT_S,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})  # Material's banner about MkDocs 2


def test_the_site_builds_strictly_with_every_page(tmp_path: Path) -> None:
    result = build(REPO / "mkdocs.yml", tmp_path)
    assert result.returncode == 0, result.stderr
    pages = {p.stem for p in (REPO / "docs").glob("*.md")} - {"index"}
    assert pages and all((tmp_path / page / "index.html").is_file() for page in pages)
    assert (tmp_path / "panel.png").read_bytes() == (REPO / "docs" / "panel.png").read_bytes()
    assert 'src="../panel.png"' in (tmp_path / "control-api" / "index.html").read_text()


def docs_copy(tmp_path: Path) -> Path:
    """mkdocs.yml and docs/ copied, so a test can break a page without touching the real ones."""
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


@pytest.mark.parametrize(("breakage", "complaint"), [
    ("[gone](no-such-page.md)", "no-such-page.md"),
    ("[gone](proxy.md#no-such-heading)", "no-such-heading"),
])
def test_a_broken_link_fails_the_build(breakage: str, complaint: str, tmp_path: Path) -> None:
    root = docs_copy(tmp_path)
    page = root / "docs" / "frontend.md"
    page.write_text(page.read_text() + f"\nSee {breakage}.\n")
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0 and complaint in result.stderr, result.stderr


def test_a_page_left_out_of_the_nav_fails_the_build(tmp_path: Path) -> None:
    root = docs_copy(tmp_path)
    (root / "docs" / "orphan.md").write_text("# Orphan\n")
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0 and "orphan.md" in result.stderr, result.stderr
