"""Stage 1, reading a campaign folder: campaign.yaml, the ranking (CSV/XLSX, charsets, cells),
narratives, attachments, template overrides. Takes a folder; gives a `Campaign` and `Nominee`s.
"""
