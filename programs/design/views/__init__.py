"""Page views of programs: the list and a program's page, building a program, its elements."""
