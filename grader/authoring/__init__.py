"""Tools of lesson authors and instructors: validate, release, scaffold, known-wrong variants, quiz keys."""
