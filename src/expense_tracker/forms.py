"""A form base whose errors come from the service layer, where the rules live.

Also what every edit page does with versions: the one a form was opened at, and the words
for what the user tried to save when a newer version refused it.
"""

from flask_wtf import FlaskForm


class ServiceForm(FlaskForm):
    """A form that renders fields and CSRF; services decide what is valid."""

    def show_errors(self, errors: dict[str, str]) -> None:
        """Attach each service error to its field, for display beside it."""
        for name, message in errors.items():
            self[name].errors = [message]


def opened_version(raw: str | None) -> set[int] | None:
    """The version a form was opened at, as services take it; None (any) when none was sent."""
    text = (raw or "").strip()
    return {int(text)} if text.isascii() and text.isdigit() and len(text) <= 9 else None


def your_change(*parts: str | None) -> str:
    """What a refused save held, to show beside the stored values: "Your change: 12.50, Food."

    Blank parts are left out; the caller quotes free text.
    """
    shown = [part for part in parts if part and part.strip()]
    return f"Your change: {', '.join(shown)}." if shown else ""


def quoted(text: str | None) -> str:
    """Free text as `your_change` shows it: 'lunch'; nothing when blank."""
    return f"'{text.strip()}'" if text and text.strip() else ""
