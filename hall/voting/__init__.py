"""Judgment: the rules a vote is decided by, the tally, and the cost-sharing plans voted on."""
