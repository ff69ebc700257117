"""Class runs: many submissions graded, their records, summaries and class outputs."""
