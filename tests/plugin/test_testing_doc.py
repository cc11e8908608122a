"""docs/testing.md shows the example files of this directory verbatim."""

from __future__ import annotations

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
