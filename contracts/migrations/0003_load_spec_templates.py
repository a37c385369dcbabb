"""The spec templates Seamline ships with: the seams most organisations have, and a blank page.

Hours are business hours on the seam's calendar; rate targets are percentages (10 = 10 %).
"""

from decimal import Decimal

from django.db import migrations

# Follow the spec's own response SLA rather than a fixed number (contracts.models.RESPONSE_SLA,
# repeated here because a migration must not depend on code that may change later).
SLA = "response_sla"


def targets(third_metric: str, third_target: int) -> list[dict]:
    return [
        {"metric": "queue_time_p85_hours", "target": SLA},
        {"metric": "sla_breach_rate", "target": 10},
        {"metric": third_metric, "target": third_target},
    ]


BUILT_IN = [
    {
        "slug": "custom-integration-intake",
        "name": "Custom integration intake",
        "description": "Sales asks Product or Solutions for an integration a deal in flight "
        "needs and the product does not offer yet.",
        "definition_of_ready": [
            "Customer use case in one paragraph, with the business outcome it serves",
            "Target systems named, with their API versions and authentication method",
            "Data volumes estimated and a sample payload attached",
            "Deal value and expected close date, linked from the CRM",
            "Named technical contact at the customer",
        ],
        "definition_of_done": "A scoped integration brief with an effort estimate (S, M or L) "
        "and the assumptions behind it, a named engineering owner and the earliest start date; "
        "or a no-go with its reason, recorded in the decision log.",
        "response_sla_hours": Decimal("16"),
        "completion_sla_hours": Decimal("40"),
        "escalate_after_hours": Decimal("24"),
        "forum": "Revenue–Product seam sync, weekly",
        "suggested_targets": targets("rework_rate", 15),
        "position": 10,
    },
    {
        "slug": "security-sign-off",
        "name": "Security sign-off",
        "description": "An application team needs Security to review a change before it ships "
        "to customers.",
        "definition_of_ready": [
            "Threat model updated for the change",
            "Data flows, data classifications and any new third parties listed",
            "Architecture diagram of the change attached",
            "Open pen-test and scanner findings fixed, or their risk accepted by an owner",
            "Target release date and the customer commitment behind it",
        ],
        "definition_of_done": "A review recorded in the ticket: approved, approved with "
        "conditions or rejected. Each accepted risk is named, with its owner and a date to "
        "revisit it.",
        "response_sla_hours": Decimal("16"),
        "completion_sla_hours": Decimal("40"),
        "escalate_after_hours": Decimal("24"),
        "forum": "Security office hours, Tuesdays",
        "suggested_targets": targets("lead_time_p85_hours", 40),
        "position": 20,
    },
    {
        "slug": "contract-language-review",
        "name": "Contract language review",
        "description": "Sales needs Legal to approve non-standard contract, DPA or order-form "
        "language for a deal.",
        "definition_of_ready": [
            "The clause as the customer wants it, with their redline of our standard text",
            "Which standard clause it replaces, and why the customer asks for the change",
            "Deal value, contract term and expected close date",
            "Any product or security capability the clause depends on",
            "The deadline agreed with the deal desk",
        ],
        "definition_of_done": "The language approved, amended or rejected with the reason, "
        "recorded on the opportunity, together with the fallback position Sales may offer.",
        "response_sla_hours": Decimal("16"),
        "completion_sla_hours": Decimal("40"),
        "escalate_after_hours": Decimal("24"),
        "forum": "Weekly deal desk",
        "suggested_targets": targets("rework_rate", 15),
        "position": 30,
    },
    {
        "slug": "environment-provisioning",
        "name": "Environment provisioning",
        "description": "Engineering asks Platform or IT for a staging, pilot or demo environment.",
        "definition_of_ready": [
            "Project or customer code, and the cost centre to charge",
            "Environment size from the standard catalogue",
            "Region and any data-residency requirement",
            "The people who need access, with their roles",
            "Budget owner's approval, for sizes outside the catalogue",
            "Date needed by, and the date it can be torn down",
        ],
        "definition_of_done": "A running environment in the requested region, with access "
        "granted to the named people, monitoring on, the cost centre tagged and its tear-down "
        "date scheduled.",
        "response_sla_hours": Decimal("8"),
        "completion_sla_hours": Decimal("24"),
        "escalate_after_hours": Decimal("8"),
        "forum": "Platform stand-up, daily",
        "suggested_targets": targets("lead_time_p85_hours", 24),
        "position": 40,
    },
    {
        "slug": "pricing-approval",
        "name": "Pricing approval",
        "description": "Sales asks Finance to approve a discount or pricing exception above "
        "the sales team's own authority.",
        "definition_of_ready": [
            "List price, the discount requested and the resulting margin",
            "Deal value, term and any multi-year commitment",
            "The competitive situation in one line, with the competitor's price if known",
            "Any non-standard payment or billing terms requested",
            "The account executive's recommendation and the expected close date",
        ],
        "definition_of_done": "The price approved or declined, with any conditions, recorded "
        "on the opportunity so that the quote can go out.",
        "response_sla_hours": Decimal("8"),
        "completion_sla_hours": Decimal("16"),
        "escalate_after_hours": Decimal("8"),
        "forum": "Deal desk, daily",
        "suggested_targets": targets("decision_latency_p85_hours", 24),
        "position": 50,
    },
    {
        "slug": "blank",
        "name": "Blank",
        "description": "An empty spec, for a seam unlike the others. The suggested targets "
        "still apply to almost any seam.",
        "definition_of_ready": [],
        "definition_of_done": "",
        "response_sla_hours": None,
        "completion_sla_hours": None,
        "escalate_after_hours": None,
        "forum": "",
        "suggested_targets": targets("rework_rate", 15),
        # Last in the library, whatever positions people give their own templates.
        "position": 1000,
    },
]


def load_templates(apps, schema_editor):
    SpecTemplate = apps.get_model("contracts", "SpecTemplate")
    for template in BUILT_IN:
        # A template someone already made under the same name or address is theirs: keep it.
        clash = SpecTemplate.objects.filter(slug=template["slug"]) | SpecTemplate.objects.filter(
            name=template["name"]
        )
        if not clash.exists():
            SpecTemplate.objects.create(built_in=True, **template)


def remove_templates(apps, schema_editor):
    SpecTemplate = apps.get_model("contracts", "SpecTemplate")
    SpecTemplate.objects.filter(
        built_in=True, slug__in=[template["slug"] for template in BUILT_IN]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_spec_templates")]

    operations = [migrations.RunPython(load_templates, remove_templates)]
