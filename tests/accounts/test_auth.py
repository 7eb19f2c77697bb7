from __future__ import annotations

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-2026"


def login(client: Client, email: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_is_served_to_anonymous_visitors(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_a_user_signs_in_with_email_in_any_case(client: Client, outsider: User) -> None:
    response = login(client, "OSCAR@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_a_wrong_password_is_refused_with_a_clear_message(client: Client, outsider: User) -> None:
    response = login(client, outsider.email, "wrong-password-123")
    assert response.status_code == 200
    assert "wrong" in response.content.decode()


def test_repeated_failures_lock_the_email_and_ip_pair_only(client: Client, outsider: User) -> None:
    for _ in range(5):
        login(client, outsider.email, "wrong-password-123", ip="10.0.0.7")
    locked = login(client, outsider.email, PASSWORD, ip="10.0.0.7")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # The same account from another address, and another account from that address, pass.
    assert login(Client(), outsider.email, PASSWORD, ip="10.0.0.8").status_code == 302
    other = UserFactory()
    assert login(Client(), other.email, PASSWORD, ip="10.0.0.7").status_code == 302


def test_a_lockout_ends_after_the_cool_off(client: Client, outsider: User, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        login(client, outsider.email, "wrong-password-123", ip="10.0.0.9")
    assert login(client, outsider.email, PASSWORD, ip="10.0.0.9").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )
    assert login(client, outsider.email, PASSWORD, ip="10.0.0.9").status_code == 302


def test_logout_needs_a_post_and_ends_the_session(outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_passwords_need_twelve_characters(outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "Short-pw1", "new_password2": "Short-pw1"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-pass-7",
            "new_password2": "a-much-longer-pass-7",
        },
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.check_password("a-much-longer-pass-7")
    assert outsider.password.startswith("argon2")


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client: Client, outsider: User
) -> None:
    response = client.post(reverse("accounts:password-reset"), {"email": outsider.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-new-password-9", "new_password2": "brand-new-password-9"}
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.check_password("brand-new-password-9")


def test_password_reset_for_an_unknown_address_reveals_nothing(client: Client) -> None:
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_saves_name_and_language(outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "奥斯卡", "preferred_language": "zh-hans"}
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.full_name, outsider.preferred_language) == ("奥斯卡", "zh-hans")
    page = client.get(reverse("accounts:profile"))
    assert page["Content-Language"] == "zh-hans"


def test_profile_rejects_an_empty_name_and_unknown_language(outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "", "preferred_language": "fr"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"full_name", "preferred_language"}


def test_switching_language_is_remembered_in_the_profile(outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.post(reverse("accounts:set-language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.preferred_language == "zh-hans"
    assert client.get(reverse("core:home"))["Content-Language"] == "zh-hans"


def test_anonymous_visitors_switch_language_by_cookie(client: Client) -> None:
    client.post(
        reverse("accounts:set-language"), {"language": "zh-hans", "next": "/accounts/login/"}
    )
    assert client.get(reverse("accounts:login"))["Content-Language"] == "zh-hans"


def test_an_idle_session_is_signed_out(outsider: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(reverse("core:home")).status_code == 302
