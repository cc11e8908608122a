"""The README's offline example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def test_readme_local_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    [example] = [b for b in blocks if "LocalQStash" in b]
    namespace: dict[str, object] = {}
    exec(compile(example, str(README), "exec"), namespace)  # the assert inside must hold
    assert "endpoint" in namespace


def test_readme_names_the_two_commands() -> None:
    text = README.read_text()
    assert "uv run qstash dev" in text and "uv run pytest" in text
    assert "pip install uv" in text
