"""The named events the decisions app emits when a decision, escalation or dependency is saved
or deleted (common.events), by any path: services, views, the API, the admin, factories.

Each tells the record's seam and its time (a decision's request, an escalation's raising, a
dependency's needed-by date) now and, for a save, before: a later app can tell what a move
left behind."""

from common import events
from decisions.models import Decision, Dependency, Escalation

# Each record's time, and the name of its events.
TIMES = {Escalation: "raised_at", Decision: "requested_at", Dependency: "needed_by"}


def connect() -> None:
    for model, at in TIMES.items():
        events.emit_on_write(model, at=at)
