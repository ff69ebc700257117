"""``python -m grader``: the same as the ``grade`` command."""
from grader.launch import main

if __name__ == "__main__":
    main()
