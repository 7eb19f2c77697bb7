"""Who read a student's record, and the files and history of records."""
