"""Students and tutors: enrolment, dual supervision, the student status lifecycle."""
