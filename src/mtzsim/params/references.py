"""The literature behind the source keys of the data tables (``Hantash2007`` → the full reference).

Read once from ``params/data/references.csv`` (copied from the project's data compilation, with
its DOIs or addresses), so that a report or a help text can cite a key in full without files the
installed package does not have.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from mtzsim.params import tables

#: Source key → full reference.
REFERENCES: MappingProxyType = MappingProxyType({row["key"]: row["reference"] for row in tables.rows("references.csv")})


def cited(texts) -> dict[str, str]:
    """The references whose keys appear (as whole words) in any of ``texts``, in key order."""
    joined = " ".join(str(t) for t in texts)
    return {k: v for k, v in sorted(REFERENCES.items()) if re.search(rf"(?<![A-Za-z0-9]){re.escape(k)}(?![A-Za-z0-9])",
                                                                     joined)}


__all__ = ["REFERENCES", "cited"]
