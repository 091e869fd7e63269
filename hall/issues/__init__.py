"""Issue collection and deliberation: issues, supports, comment threads, moderation."""
