import pytest
from temporalio.exceptions import ApplicationError

from activities.notices import REQUIRED_CONTEXT, render_notice, template_kinds
from models.actors import Role
from models.projection import NotificationKind
from tests.store import builders

BASE_URL = "https://app.example"
INSURER_KINDS = {
    NotificationKind.INSURER_INVITATION,
    NotificationKind.INSURER_REMINDER,
    NotificationKind.QUOTE_ACCEPTED,
    NotificationKind.QUOTE_NOT_SELECTED,
    NotificationKind.REQUEST_WITHDRAWN,
}
SAMPLE_CONTEXT = {
    "insurer_name": "AllSafe Versicherung AG",
    "deadline": "2026-03-16T22:59:59+00:00",
    "valid_until": "2026-05-02",
    "access_link": "https://app.example/insurer/access/secret-token",
    "quotes_count": "2",
    "reason": "PRIOR_CLAIMS",
}


def _context_for(kind: NotificationKind, role: Role) -> dict[str, str]:
    keys = REQUIRED_CONTEXT[kind] | ({"access_link"} if role is Role.INSURER else set())
    return {key: SAMPLE_CONTEXT[key] for key in keys}


def test_every_kind_has_a_template_and_documented_keys() -> None:
    kinds = {kind.value for kind in NotificationKind}

    assert template_kinds() == kinds
    assert set(REQUIRED_CONTEXT) == set(NotificationKind)


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_renders_with_its_documented_keys(kind: NotificationKind) -> None:
    role = Role.INSURER if kind in INSURER_KINDS else Role.BROKER
    notification = builders.notification(kind, role=role, **_context_for(kind, role))

    notice = render_notice(notification, builders.snapshot(), BASE_URL)

    assert notice.subject and "\n" not in notice.subject
    assert "Betriebshaftpflichtversicherung" in notice.subject + notice.body
    assert "Bitte antworten Sie nicht auf diese E-Mail" in notice.body
    if role is Role.INSURER:
        assert SAMPLE_CONTEXT["access_link"] in notice.body
        assert "/tenders/" not in notice.body
    else:
        assert f"{BASE_URL}/tenders/t-1" in notice.body


@pytest.mark.parametrize(
    "kind", [NotificationKind.NEW_MESSAGE, NotificationKind.TENDER_CANCELLED]
)
def test_notice_to_an_insurer_carries_its_access_link(kind: NotificationKind) -> None:
    notification = builders.notification(
        kind, role=Role.INSURER, access_link=SAMPLE_CONTEXT["access_link"]
    )

    notice = render_notice(notification, builders.snapshot(), BASE_URL)

    assert SAMPLE_CONTEXT["access_link"] in notice.body
    assert notice.body.startswith("Sehr geehrte Damen und Herren,")


def test_notice_to_an_insurer_without_access_link_is_refused() -> None:
    notification = builders.notification(
        NotificationKind.NEW_MESSAGE, role=Role.INSURER
    )

    with pytest.raises(ApplicationError) as raised:
        render_notice(notification, builders.snapshot(), BASE_URL)

    assert raised.value.type == "NoticeTemplateError"
    assert raised.value.non_retryable


def test_dates_and_decline_reasons_read_german() -> None:
    invitation = builders.notification(
        NotificationKind.INSURER_INVITATION,
        role=Role.INSURER,
        **_context_for(NotificationKind.INSURER_INVITATION, Role.INSURER),
        note="Bitte Vorschäden gesondert prüfen.",
    )
    declined = builders.notification(
        NotificationKind.REQUEST_DECLINED,
        insurer_name="AllSafe Versicherung AG",
        reason="PRIOR_CLAIMS",
    )

    invitation_body = render_notice(invitation, builders.snapshot(), BASE_URL).body
    declined_body = render_notice(declined, builders.snapshot(), BASE_URL).body

    assert "bis zum 16.03.2026" in invitation_body
    assert "Bitte Vorschäden gesondert prüfen." in invitation_body
    assert "Grund: Vorschäden" in declined_body


def test_missing_template_is_not_retryable(monkeypatch, tmp_path) -> None:
    from activities import notices

    monkeypatch.setattr(
        notices.ENVIRONMENT, "loader", notices.jinja2.FileSystemLoader(tmp_path)
    )
    notification = builders.notification(NotificationKind.TENDER_CONFIRMATION)

    with pytest.raises(ApplicationError) as raised:
        render_notice(notification, builders.snapshot(), BASE_URL)

    assert raised.value.type == "NoticeTemplateError"
    assert raised.value.non_retryable
