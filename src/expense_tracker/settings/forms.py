"""Settings forms; the rules they are checked against live in the services."""

from wtforms import PasswordField, StringField

from ..forms import ServiceForm


class TokenForm(ServiceForm):
    """Create an API token."""

    name = StringField("Token name")


class PasswordForm(ServiceForm):
    """Change the password."""

    current_password = PasswordField("Current password")
    new_password = PasswordField("New password")
    confirm_new_password = PasswordField("Confirm new password")
