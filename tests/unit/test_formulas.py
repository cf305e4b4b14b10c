"""CSV cells a spreadsheet would run as a formula get a leading quote, which import removes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expense_tracker.services.exports import neutralise_formula, unneutralise_formula

# Characters a spreadsheet skips or reads as the ASCII ones a formula starts with.
STARTERS = "=+-@\t\r＝＋－＠﹦﹢﹣﹫⁼₌"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202e\u00ad "


@pytest.mark.parametrize(
    "cell",
    [
        '＝HYPERLINK("http://evil")',  # full-width equals
        "＋1",
        "－5",
        "＠SUM(A1)",
        "﹦1+1",  # small equals
        "\u200b=1+1",  # zero-width space first
        "\ufeff=1+1",
        "\u202e=1+1",
        "\u200b\u200d＝1+1",
        " =1+1",
    ],
)
def test_formulas_in_disguise_get_a_leading_quote(cell):
    written = neutralise_formula(cell)

    assert written == "'" + cell
    assert unneutralise_formula(written) == cell


@pytest.mark.parametrize("cell", ["Plain = fine", "Café", "１２ apples", "", "\u200bTea"])
def test_other_cells_are_written_as_they_are(cell):
    assert neutralise_formula(cell) == cell
    assert unneutralise_formula(cell) == cell


def _looks_like_a_formula(cell: str) -> bool:
    visible = cell.lstrip(INVISIBLE)
    return bool(visible) and unicodedata.normalize("NFKC", visible[0])[:1] in "=+-@\t\r"


# A few invisible characters, maybe a quote or two, a starter or not, then anything.
disguised_cells = st.builds(
    lambda *parts: "".join(parts),
    st.text(alphabet=st.sampled_from(INVISIBLE), max_size=3),
    st.text(alphabet=st.just("'"), max_size=2),
    st.sampled_from([*STARTERS, "a", "1", ""]),
    st.text(max_size=8),
)


@given(cell=disguised_cells | st.text())
def test_no_written_cell_starts_a_formula_and_import_gets_back_what_was_stored(cell):
    written = neutralise_formula(cell)

    assert not _looks_like_a_formula(written)
    assert unneutralise_formula(written) == cell
