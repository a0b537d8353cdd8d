"""Stage 7, reading builds back for reviewers: what a reader sees in two .docx files or two
output folders, compared (`diff`, `textconv`) and as tracked changes (`redline`).
"""
