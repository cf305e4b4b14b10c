"""Invitations in the settings: make a single-use link for someone to register, or revoke one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..security import audit, shareable_link
from ..services import invitations
from .views import render_settings

bp = Blueprint("invitations", __name__, url_prefix="/settings/invitations")


@bp.post("")
@login_required
def create():
    """Make an invitation link and show it, this once, on the settings page."""
    try:
        invitation, secret = invitations.create_invitation(current_user.id)
    except ValidationError as error:
        return render_settings(400, invitation_error=error.errors["invitation"])
    audit("invitation.created", user_id=current_user.id, invitation_id=invitation.id)
    link = shareable_link("auth.register_invited", secret=secret)
    return render_settings(201, new_invitation=link)


@bp.post("/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int):
    """Revoke one of the user's unused invitations: its link no longer works."""
    invitations.revoke_invitation(current_user.id, invitation_id)
    audit("invitation.revoked", user_id=current_user.id, invitation_id=invitation_id)
    flash("Revoked the invitation. Its link no longer works.", "success")
    return redirect(url_for("settings.index"))
