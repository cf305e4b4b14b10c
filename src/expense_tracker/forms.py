"""A form base whose errors come from the service layer, where the rules live."""

from flask_wtf import FlaskForm


class ServiceForm(FlaskForm):
    """A form that renders fields and CSRF; services decide what is valid."""

    def show_errors(self, errors: dict[str, str]) -> None:
        """Attach each service error to its field, for display beside it."""
        for name, message in errors.items():
            self[name].errors = [message]
