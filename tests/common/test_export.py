from common.export import csv_lines, safe_cell


def test_formula_looking_cells_are_escaped_and_numbers_left_alone():
    assert safe_cell("=cmd()|' /C calc'!A0") == "'=cmd()|' /C calc'!A0"
    assert safe_cell("+1 555") == "'+1 555"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-3") == "-3"  # a negative number is data, not a formula
    assert safe_cell("Acme") == "Acme"
    assert safe_cell(None) == ""


def test_it_streams_a_bom_then_escaped_rows():
    lines = list(csv_lines(["title"], [["=1+1"], ["Plain"]]))
    assert lines == ["\ufefftitle\r\n", "'=1+1\r\n", "Plain\r\n"]
