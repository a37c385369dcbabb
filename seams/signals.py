"""Signals the seams app sends for others to act on."""

from django.dispatch import Signal

# Handoffs were written in bulk (an import, the bulk API, a webhook), bypassing post_save.
# Arguments, so receivers know which seams and months changed, on both sides of an update:
# - seam_ids: the seams the rows were written to (a set of primary keys);
# - earliest: the earliest submitted_at among the rows written;
# - moved_from: {seam id: earliest submitted_at} of what updated rows were before, for each
#   row the write moved to another seam or another submission time: the seams and months it
#   left, which count it no more ({} when nothing moved).
handoffs_written = Signal()
