"""Partner organisations, program partners and agreements, responsibilities, counsellor postings."""
