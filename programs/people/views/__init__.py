"""Page views of students: a tutor's students, a student's page, the student status lifecycle."""
