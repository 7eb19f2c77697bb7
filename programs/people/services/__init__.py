"""Writes and rules of enrolment, tutors and the student status lifecycle."""
