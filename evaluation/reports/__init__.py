"""Reports: program annual report, partner scorecard, student training record."""
