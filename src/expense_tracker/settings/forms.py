"""Settings forms; the rules they are checked against live in the services."""

from wtforms import StringField

from ..forms import ServiceForm


class TokenForm(ServiceForm):
    """Create an API token."""

    name = StringField("Token name")
