"""The append-only, hash-chained record every stage writes to, and its verification."""
