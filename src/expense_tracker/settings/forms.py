"""Settings forms; the rules they are checked against live in the services."""

from wtforms import PasswordField, SelectField, StringField

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


class PreferencesForm(ServiceForm):
    """Currency, locale and theme; the service checks the choices against Babel's data."""

    # validate_choice=False: the service decides what is valid, and says so beside the field.
    currency = SelectField("Currency", validate_choice=False)
    locale = SelectField("Number format", validate_choice=False)
    theme = SelectField("Theme", validate_choice=False)
