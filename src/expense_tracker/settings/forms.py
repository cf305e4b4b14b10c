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


class TwoFactorSetupForm(ServiceForm):
    """Confirm a new authenticator app with a code it shows."""

    code = StringField("Code")


class TwoFactorDisableForm(ServiceForm):
    """Turn two-factor authentication off: the password and a code."""

    current_password = PasswordField("Your password")
    code = StringField("Code")


class RecoveryCodesForm(ServiceForm):
    """Make new recovery codes, after a code."""

    code = StringField("Current code")


class DeleteAccountForm(ServiceForm):
    """Delete the account, after typing the password again."""

    password = PasswordField("Your password, to confirm")
