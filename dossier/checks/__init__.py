"""Stage 4, every rule short of writing: deadlines, counts, quotas, money in words, attachments.
Takes a campaign folder; gives an `Analysis` (campaign, selection, planned documents, findings).
"""
