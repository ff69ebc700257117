"""``grade quiz --web``: the mastery quiz as a page served on 127.0.0.1, a front end over the quiz model."""
