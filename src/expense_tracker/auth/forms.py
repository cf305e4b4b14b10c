"""Account forms; the rules they are checked against live in services.accounts."""

from wtforms import BooleanField, PasswordField, StringField

from ..forms import ServiceForm


class RegisterForm(ServiceForm):
    """The fields of the registration page."""

    username = StringField("Username")
    password = PasswordField("Password")
    confirm_password = PasswordField("Confirm password")


class LoginForm(ServiceForm):
    """The fields of the log-in page."""

    username = StringField("Username")
    password = PasswordField("Password")
    remember = BooleanField("Keep me signed in on this device")


class CodeForm(ServiceForm):
    """The second step of logging in: a code from the authenticator app, or a recovery code."""

    code = StringField("Code")
    remember = BooleanField("Keep me signed in on this device")


class ResetPasswordForm(ServiceForm):
    """Set a new password with a one-time reset link."""

    new_password = PasswordField("New password")
    confirm_new_password = PasswordField("Confirm new password")
