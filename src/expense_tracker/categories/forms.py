"""Category forms; the rules they are checked against live in services/categories.py."""

from wtforms import HiddenField, StringField

from ..forms import ServiceForm


class NameForm(ServiceForm):
    """A category's name, to add one or to rename one."""

    name = StringField("Name")
    # On a category's page: the version it showed (renames and colour changes count).
    version = HiddenField()


class ColorForm(ServiceForm):
    """A category's colour, one of ten radio buttons (written out in the template)."""

    color = StringField("Colour")
    version = HiddenField()  # as on NameForm


class MergeForm(ServiceForm):
    """The category to merge into, a select of the others (written out in the template)."""

    into = StringField("Merge into")
