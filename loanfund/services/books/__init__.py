"""The special account's books: postings, the position, reconciliation, capital and income, transfers, the banks'
designated accounts."""
