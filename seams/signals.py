"""Signals the seams app sends for others to act on."""

from django.dispatch import Signal

# Handoffs were written in bulk (an import, the bulk API, a webhook), bypassing post_save.
# Arguments: seam_ids (a set of seam primary keys) and earliest (the earliest submitted_at
# among the rows written), so receivers know which seams and months changed.
handoffs_written = Signal()
