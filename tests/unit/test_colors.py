"""The ten category colours: each named, each with its own class."""

from expense_tracker.colors import COLOR_NAMES, color_class


def test_each_colour_has_a_name_and_its_own_class():
    assert len(COLOR_NAMES) == 10
    assert [color_class(n) for n in range(10)] == [f"c{n}" for n in range(10)]
