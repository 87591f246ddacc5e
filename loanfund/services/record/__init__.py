"""What the fund keeps of itself: the audit record, in words, and backups."""
