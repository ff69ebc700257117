"""grade: auto-graded exercises and mastery quizzes for machine-learning lessons."""
