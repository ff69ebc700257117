"""``python -m grader``: the same as the ``grade`` command."""
from grader.cli.entry import main

if __name__ == "__main__":
    main()
