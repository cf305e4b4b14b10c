"""Registering by invitation in a real browser: the link made in Settings, opened on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD
from .test_accessibility import blocking_violations, describe


@pytest.mark.parametrize("viewport", ["phone"])
def test_an_invited_person_opens_the_link_on_a_phone_and_registers(
    app, open_page, user, log_in, viewport
):
    app.config["REGISTRATION"] = "invite"
    inviter = log_in(open_page(), user)
    inviter.goto("/settings")
    inviter.get_by_role("button", name="Make an invitation link", exact=True).click()
    field = inviter.get_by_label("Invitation link", exact=True)
    # The server knows no address of its own here (no BASE_URL): the page's script makes the
    # path whole once it has run, so wait for it rather than read the field as it arrives.
    origin = inviter.url.split("/settings")[0]
    expect(field).to_have_value(re.compile("^" + re.escape(origin + "/auth/register/")))
    link = field.input_value()
    invitations = inviter.get_by_role("region", name="Invitations")
    expect(invitations.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(1)
    assert blocking_violations(inviter) == [], describe(blocking_violations(inviter))

    phone = open_page()
    phone.goto("/auth/login")
    expect(phone.get_by_role("link", name="Create an account")).to_have_count(0)
    expect(phone.get_by_role("link", name="Register")).to_have_count(0)
    phone.goto(link)
    expect(phone.get_by_text("You have been invited")).to_be_visible()
    assert blocking_violations(phone) == [], describe(blocking_violations(phone))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the invitation page is {width} px wide on a 390 px phone"
    phone.get_by_label("Username", exact=True).fill("carol")
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Create account", exact=True).click()

    expect(phone.get_by_text("Welcome, carol! Your account is ready.")).to_be_visible()
    expect(phone).to_have_url(re.compile(r"/welcome$"))
    phone.get_by_role("button", name="Skip for now", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/$"))
    inviter.goto("/settings")
    expect(inviter.get_by_text("You have no unused invitations.")).to_be_visible()
    used = open_page()
    used.goto(link)
    expect(used.get_by_text("This invitation link cannot be used")).to_be_visible()
