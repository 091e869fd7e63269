"""Orderings people expect of names with numbers in them ("2栋" before "10栋")."""

import re

_DIGITS = re.compile(r"\d+")


def natural_sort_key(name: str) -> str:
    # Zero-padded digit runs make a plain string column sort naturally in SQL, on any database.
    return _DIGITS.sub(lambda m: m.group().zfill(8), name.strip())[:80]
