"""The first-run page: currency and number format, then a first budget or recurring expense."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectField, StringField

from ..errors import ValidationError
from ..forms import ServiceForm
from ..services import first_run, preferences

bp = Blueprint("welcome", __name__, url_prefix="/welcome")

# Where "Save and continue" leads: (value, endpoint, label), the first one chosen at first.
NEXT_STEPS = (
    ("dashboard", "expenses.index", "Add my first expense"),
    ("budget", "budgets.edit", "Set a monthly budget"),
    ("recurring", "recurring.index", "Add a recurring expense, such as rent or a subscription"),
)


class WelcomeForm(ServiceForm):
    """Currency and number format, and what to do next; the service checks the choices."""

    # validate_choice=False: the service decides what is valid, and says so beside the field.
    currency = SelectField("Currency", validate_choice=False)
    locale = SelectField("Number format", validate_choice=False)
    then = StringField("Then")


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    """Offer the guessed currency and number format; save them and go on to the next step."""
    if not first_run.is_due(current_user):
        return redirect(url_for("expenses.index"))
    currency, locale = first_run.suggest(request.accept_languages.values())
    form = WelcomeForm(data={"currency": currency, "locale": locale, "then": NEXT_STEPS[0][0]})
    form.currency.choices = list(preferences.currency_choices())
    form.locale.choices = list(preferences.locale_choices())
    if request.method == "POST":
        try:
            first_run.save(current_user.id, form.currency.data, form.locale.data)
        except ValidationError as error:
            form.show_errors(error.errors)
            return _render(form, 400)
        flash("Saved. You can change these any time in Settings.", "success")
        endpoints = {value: endpoint for value, endpoint, _ in NEXT_STEPS}
        return redirect(url_for(endpoints.get(form.then.data, NEXT_STEPS[0][1])))
    return _render(form)


@bp.post("/skip")
@login_required
def skip():
    """Keep the server's defaults and go to the dashboard; the step is not offered again."""
    first_run.skip(current_user.id)
    return redirect(url_for("expenses.index"))


def _render(form: WelcomeForm, status: int = 200):
    steps = [(value, label) for value, _, label in NEXT_STEPS]
    return render_template("welcome/index.html", form=form, next_steps=steps), status
