"""Reports for people and scheduled jobs: selection.md, the check report (JSON/text), the
deadline calendar (.ics). Take an `Analysis` or campaigns; give text.
"""
