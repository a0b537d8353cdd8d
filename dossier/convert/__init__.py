"""Stage 5, .docx to PDF: the converter protocol and its shared types (`converter`), the local
LibreOffice pool and its warm instance, and a unoserver farm. Takes .docx files; gives PDFs.
"""
