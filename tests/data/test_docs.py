"""The flags table of docs/dataset.md is a rendering of keyproj.data.tables.FLAGS, checked here, so
that the code's table stays the one source."""
from __future__ import annotations

import re
from pathlib import Path

from keyproj.data.tables import FLAGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "dataset.md"


def test_flags_table_in_the_docs_equals_the_codes_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| code | meaning |"):]
    table = table[:table.index("\n\n")]
    rows = re.findall(r"^\| `([a-z_]+)` \| (.+) \|$", table, flags=re.M)
    assert rows == list(FLAGS.items())
