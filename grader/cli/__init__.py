"""The command line: every click command of ``grade``. The only package that imports click."""
