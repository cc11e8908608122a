"""docs/testing.md shows the example files of this directory verbatim."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAGGED = re.compile(r"<!-- file: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```\n", re.S)


def test_every_tagged_code_block_equals_its_file() -> None:
    doc = (ROOT / "docs" / "testing.md").read_text()
    blocks = {m["path"]: m["code"] for m in TAGGED.finditer(doc)}
    assert set(blocks) == {
        "tests/plugin/shop_app.py",
        "tests/plugin/test_shop.py",
        "tests/plugin/test_retries_example.py",
        "tests/plugin/test_without_pytest_fixtures.py",
    }
    for path, code in blocks.items():
        assert code == (ROOT / path).read_text(), f"docs/testing.md is out of date for {path}"


def test_the_marker_section_lists_every_server_setting() -> None:
    from upstash_qstash.server.settings import Settings

    doc = (ROOT / "docs" / "testing.md").read_text()
    section = doc.split("- any server setting:", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", section))
    settings = {f.name for f in dataclasses.fields(Settings)} - {"host", "port", "db_path"}
    assert listed == settings
