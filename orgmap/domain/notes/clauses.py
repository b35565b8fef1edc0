"""Sentences and clauses of a call note: what a rule may look at around a match.

The boundaries are found once per note; each look-up is a bisection, so rules that ask
about every number or date of a 5,000-character note stay linear.

>>> c = Clauses("小王说找财务，财务说找老板。老板没接")
>>> c.clause(8), c.sentence(8), c.clause_text(16), c.next_clause_text(2)
((7, 13), (0, 13), '老板没接', '财务说找老板')
>>> Clauses("钱上周五就付了 我查了还没到帐 明早再打").clause_text(17)
'明早再打'
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["CLAUSE", "SENTENCE", "Clauses"]

SENTENCE = re.compile(r"[。；;！!？?\n]|(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)\.(?:\s|$)")
# a note typed on a phone often has blanks where the commas would be: "小王说在 明天再打"
CLAUSE = re.compile(
    # (not the comma inside "38,650")
    r"[，。；;！!？?\n]|(?<!\d),|,(?!\d)|(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)\.(?:\s|$)"
    r"|(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])"
)


class Clauses:
    """The clause and sentence boundaries of one note."""

    __slots__ = ("_clause_ends", "_clauses", "_sentence_ends", "_sentences", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._clauses = [m.span() for m in CLAUSE.finditer(text)]
        self._clause_ends = [end for _, end in self._clauses]
        self._sentences = [m.span() for m in SENTENCE.finditer(text)]
        self._sentence_ends = [end for _, end in self._sentences]

    def _bounds(
        self, separators: list[tuple[int, int]], ends: list[int], at: int
    ) -> tuple[int, int]:
        i = bisect_right(ends, at)  # separators wholly before ``at``
        start = ends[i - 1] if i else 0
        if i < len(separators) and separators[i][0] >= at:
            return start, separators[i][0]
        return start, len(self.text)

    def clause(self, at: int) -> tuple[int, int]:
        """``(start, end)`` of the clause holding position ``at``."""
        return self._bounds(self._clauses, self._clause_ends, at)

    def sentence(self, at: int) -> tuple[int, int]:
        """``(start, end)`` of the sentence holding position ``at``."""
        return self._bounds(self._sentences, self._sentence_ends, at)

    def clause_text(self, at: int) -> str:
        lo, hi = self.clause(at)
        return self.text[lo:hi]

    def next_clause_text(self, at: int) -> str:
        """The clause after the one holding ``at`` if the sentence goes on, else empty."""
        _, hi = self.clause(at)
        if hi >= len(self.text) or SENTENCE.match(self.text, hi):
            return ""
        lo, end = self.clause(hi + 1)
        return self.text[lo:end]
