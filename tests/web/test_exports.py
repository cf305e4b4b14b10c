"""Export downloads from the dashboard: the filter in the URL, as CSV or JSON attachments."""

from expense_tracker import clock

from ..helpers import text


def test_dashboard_offers_the_current_filter_as_csv_and_json(auth_client):
    page = text(auth_client.get("/?period=all&category=Food&q=tea"))

    assert 'href="/export.csv?period=all&amp;category=Food&amp;q=tea"' in page
    assert 'href="/export.json?period=all&amp;category=Food&amp;q=tea"' in page


def test_csv_download_is_an_uncached_attachment_of_the_filtered_expenses(
    auth_client, user, add_expense
):
    add_expense(user, amount="4.5", category="Food", date="2020-03-02", description="Tea")
    add_expense(user, amount="9", category="Food", date="2020-03-03", description="Cake")

    response = auth_client.get("/export.csv?period=all&q=tea")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    today = clock.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="expenses-{today}.csv"'
    )
    assert text(response).splitlines() == [
        "\ufeffdate,amount,currency,category,description",
        "2020-03-02,4.50,EUR,Food,Tea",
    ]


def test_json_download_without_a_period_holds_this_month_like_the_dashboard(
    auth_client, user, add_expense
):
    add_expense(user, amount="5", description="Recent")
    add_expense(user, amount="6", date="2020-03-02", description="Old")

    response = auth_client.get("/export.json")

    assert response.mimetype == "application/json"
    assert [item["description"] for item in response.get_json()] == ["Recent"]


def test_a_wrong_filter_answers_400_with_the_error_page(auth_client):
    response = auth_client.get("/export.csv?period=custom&from=2026-02-30")

    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_export_needs_a_log_in(client):
    response = client.get("/export.csv")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
