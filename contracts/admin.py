from django.contrib import admin

from common.admin import RecordAdmin
from contracts.models import (
    Assumption,
    Commitment,
    Contract,
    ContractEvent,
    ContractRevision,
    ContractSeam,
    DecisionRight,
    Initiative,
    MetricTarget,
    Signature,
    SpecTemplate,
)


class ContractSeamInline(admin.TabularInline):
    model = ContractSeam
    extra = 0
    autocomplete_fields = ["seam"]


class MetricTargetInline(admin.TabularInline):
    model = MetricTarget
    extra = 0


class DecisionRightInline(admin.StackedInline):
    model = DecisionRight
    extra = 0
    filter_horizontal = ["consulted_people", "consulted_teams", "informed_people", "informed_teams"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Status changes and signatures go through the app, where their rules are checked."""

    list_display = ["title", "status", "leader", "review_day", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "scope"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [ContractSeamInline, MetricTargetInline, DecisionRightInline]


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    readonly_fields = ["leader", "signed_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ContractRevision)
class ContractRevisionAdmin(RecordAdmin):
    list_display = ["contract", "number", "status", "published_at", "fully_signed_at"]
    list_filter = ["status"]
    inlines = [SignatureInline]


@admin.register(ContractEvent)
class ContractEventAdmin(RecordAdmin):
    list_display = ["at", "contract", "kind", "summary", "by"]
    list_filter = ["kind"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


class AssumptionInline(admin.TabularInline):
    model = Assumption
    extra = 0
    fk_name = "initiative"


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "leader", "target_date"]
    search_fields = ["name"]
    inlines = [CommitmentInline, AssumptionInline]


@admin.register(SpecTemplate)
class SpecTemplateAdmin(admin.ModelAdmin):
    """The slug is derived from the name once (model clean), so links to a template survive."""

    list_display = ["name", "position", "built_in", "response_sla_hours", "updated_at"]
    list_filter = ["built_in"]
    search_fields = ["name", "description", "forum"]
    readonly_fields = ["slug", "built_in", "created_by", "created_at", "updated_at"]

    def save_model(self, request, obj: SpecTemplate, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
