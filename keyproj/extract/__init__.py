"""Fact extraction: every key-project figure of a document, with its list, period, place and sentence.

The package reads a document as a sequence of sentences (document), each by a grammar of lists,
groups and metric wordings (sentence) whose numbers get roles before they become facts (roles),
with the document's state carried between sentences (state); the wordings live in
keyproj/lexicon/*.yaml. See docs/FACTS.md for the table this produces and docs/lexicon.md for
adding a wording.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keyproj.extract.batch import (
    extract_paths,
    facts_csv_rows,
    iter_extracted,
    row_dicts,
)
from keyproj.extract.document import TextDocument, document_facts
from keyproj.facts import FACT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["extract_facts", "extract_paths", "extract_rows", "facts_csv_rows", "iter_extracted"]


def extract_rows(document: TextDocument) -> list[dict[str, Any]]:
    """The facts of one document as plain dicts (the FACT_COLUMNS keys), without building a DataFrame."""
    return row_dicts(document_facts(document.doc_id, document.text, document.meta))


def extract_facts(document: TextDocument) -> pd.DataFrame:
    """The facts of one document, one row per fact, with the columns of ``keyproj.facts.FACT_COLUMNS``.

    Amounts are in 亿元, rates in %, ahead-of-schedule in percentage points (negative when behind).
    """
    import pandas as pd

    return pd.DataFrame(extract_rows(document), columns=FACT_COLUMNS)
