"""The site's navigation and what the page shell shows on every page. It is project-level: it
names every app's pages, so it lives in config, which no app imports."""

from django.conf import settings
from django.http import HttpRequest

from seams import permissions

# The sections of the product, in the order leaders think of them. An item shows as current
# on every URL name that starts with one of its `matches`.
NAVIGATION = [
    # What to act on now (ops land here); everyone reads it.
    ("Today", "metrics:today", ("metrics:today",)),
    ("Review", "metrics:review", ("metrics:review",)),
    ("Metrics", "metrics:month", ("metrics:month", "metrics:recompute", "metrics:export")),
    (
        "Seams",
        "seams:list",
        (
            "seams:list",
            "seams:create",
            "seams:detail",
            "seams:edit",
            "seams:start-pilot",
            "seams:spec",
            "seams:calendar",
        ),
    ),
    ("Contracts", "contracts:list", ("contracts:",)),
    (
        "Decisions",
        "decisions:list",
        (
            "decisions:list",
            "decisions:log",
            "decisions:detail",
            "decisions:decide",
            "decisions:reopen",
            "decisions:withdraw",
            "decisions:agenda",
            "decisions:escalation",
            "decisions:constraint",
        ),
    ),
    ("Dependencies", "decisions:dependencies", ("decisions:dependencies",)),
    ("Handoffs", "seams:handoffs", ("seams:handoffs", "connections:source")),
    (
        "Teams",
        "seams:teams",
        ("home", "seams:team", "metrics:data-quality", "metrics:run-quality"),
    ),
]

# Team owners land on their own seams; the item leads their navigation.
OWNER_NAVIGATION = [("My seams", "metrics:mine", ("metrics:mine",))]


def shell(request: HttpRequest) -> dict:
    """What the base layout needs on every page: organisation, navigation, who is signed in."""
    context = {"organisation_name": settings.ORGANISATION_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    context["navigation"] = [
        {
            "label": label,
            "url_name": url_name,
            "current": any(current.startswith(m) for m in matches),
        }
        for label, url_name, matches in (
            OWNER_NAVIGATION + NAVIGATION if permissions.owns_any_team(user) else NAVIGATION
        )
    ]
    context["role_label"] = permissions.role_label(user)
    context["role_summary"] = permissions.role_summary(user)
    context["can_log_anything"] = permissions.can_log_somewhere(user)
    context["can_browse_audit"] = permissions.is_leader(user)
    # Outbound channels hold webhook URLs, which are secrets: leaders and ops manage them.
    context["can_manage_channels"] = permissions.is_leader(user) or permissions.is_ops(user)
    return context
