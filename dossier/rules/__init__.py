"""Stage 2, deciding: groups, eligibility, computed scores, quotas, ties, the working-day calendar.
Takes a `Campaign` and its `Nominee`s; gives a `Selection` (who is awarded, who is not, and why).
"""
