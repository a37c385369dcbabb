from decimal import Decimal
from types import SimpleNamespace

from seams.diff import Segment, changed_fields, diff_contents, diff_field, display


def test_it_marks_changed_words_in_text_on_each_side():
    d = diff_field("definition_of_done", "A scoped brief", "A scoped integration brief")
    assert d.changed
    assert d.kind == "text"
    assert "".join(s.text for s in d.old) == "A scoped brief"
    assert "".join(s.text for s in d.new) == "A scoped integration brief"
    assert [s.text for s in d.new if s.op == "insert"] == ["integration "]
    assert all(s.op != "delete" for s in d.new)


def test_it_diffs_checklists_item_by_item():
    d = diff_field(
        "definition_of_ready", ["Use case", "Payload"], ["Use case", "Sample payload", "CRM link"]
    )
    assert d.old == [Segment("equal", "Use case"), Segment("delete", "Payload")]
    assert d.new == [
        Segment("equal", "Use case"),
        Segment("insert", "Sample payload"),
        Segment("insert", "CRM link"),
    ]


def test_it_shows_people_and_hours_as_people_read_them():
    wei = SimpleNamespace(pk=1, display_name="Wei Zhang")
    priya = SimpleNamespace(pk=2, display_name="Priya Nair")
    d = diff_field("owner", wei, priya)
    assert d.old == [Segment("delete", "Wei Zhang")]
    assert d.new == [Segment("insert", "Priya Nair")]
    assert display("response_sla_hours", Decimal("16.00")) == "16 h"
    assert display("response_sla_hours", Decimal("1.50")) == "1.5 h"
    assert display("escalate_to", None) == "—"


def test_it_treats_equal_values_of_different_types_as_unchanged():
    assert not diff_field("response_sla_hours", Decimal("16.00"), 16).changed
    assert not diff_field("notes", "", None).changed
    assert not diff_field("definition_of_ready", [], None).changed


def test_it_lists_which_fields_changed_in_spec_order():
    old = {"forum": "Weekly", "response_sla_hours": Decimal("32"), "notes": ""}
    new = {"forum": "Daily", "response_sla_hours": Decimal("16"), "notes": ""}
    assert changed_fields(old, new) == ["Response SLA", "Forum"]
    assert [d.field for d in diff_contents(old, new)][:2] == ["owner", "definition_of_ready"]


def test_it_highlights_a_replaced_phrase_as_one_piece():
    d = diff_field("forum", "Weekly seam sync", "Daily stand-up")
    assert d.old == [Segment("delete", "Weekly seam sync")]
    assert d.new == [Segment("insert", "Daily stand-up")]


def test_it_shows_unrelated_texts_as_one_replaced_by_the_other():
    d = diff_field(
        "notes", "Deals under 50k use the standard list", "Bring the architect to the call"
    )
    assert d.old == [Segment("delete", "Deals under 50k use the standard list")]
    assert d.new == [Segment("insert", "Bring the architect to the call")]


def test_it_does_not_strike_out_an_empty_old_value():
    d = diff_field("completion_sla_hours", None, Decimal("40"))
    assert d.old == [Segment("equal", "—")]
    assert d.new == [Segment("insert", "40 h")]
