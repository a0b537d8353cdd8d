"""Stage 3, what each document says: template contexts, rendering with docxtpl, literal text,
Vietnamese formatting, and reading generated text back. Takes a `Selection`; gives .docx files.
"""
