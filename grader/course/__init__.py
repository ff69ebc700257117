"""What a course is: its lessons, their expectations, the quiz model, a student's progress.
Imports core and the sandbox."""
