"""Partner performance scores, ranking and probation decisions."""
