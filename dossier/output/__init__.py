"""Stage 6, the output folder: the cache of documents, the bundled submission PDF, fast PDF
reading and the atomic swap. Takes documents and PDFs; gives OUT, whole or not at all.
"""
