"""Settings forms; the rules they are checked against live in the services."""

from wtforms import BooleanField, PasswordField, SelectField, StringField

from ..forms import ServiceForm
from ..services.tokens import DEFAULT_EXPIRY_DAYS, NEVER

EXPIRY_LABELS = {"30": "In 30 days", "90": "In 90 days", "365": "In a year", NEVER: "Never"}


class TokenForm(ServiceForm):
    """Create an API token, after typing the password (and a code) again."""

    name = StringField("Token name")
    # validate_choice=False: the service decides what is valid, and says so beside the field.
    expires = SelectField("Expires", default=str(DEFAULT_EXPIRY_DAYS), validate_choice=False)
    current_password = PasswordField("Your current password")
    code = StringField("Code from your app")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expires.choices = list(EXPIRY_LABELS.items())


class PasswordForm(ServiceForm):
    """Change the password, and perhaps revoke every API token with it."""

    current_password = PasswordField("Current password")
    new_password = PasswordField("New password")
    confirm_new_password = PasswordField("Confirm new password")
    revoke_tokens = BooleanField("Also revoke my API tokens")


class TwoFactorSetupForm(ServiceForm):
    """Confirm a new authenticator app: the password, and a code the app shows."""

    current_password = PasswordField("Your password")
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
