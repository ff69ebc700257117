"""The bottom of the grader: errors, the one result model, batch records, formatting, submission files,
outputs, comparison and checks. Imports only the sandbox; never click."""
