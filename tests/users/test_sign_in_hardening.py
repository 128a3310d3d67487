"""Sign-in and API tokens, hardened (issue 6, findings 2, 3, 4, 6 and 8).

One lockout (django-axes, counted in the database per username and client address) guards the
sign-in page, the admin login and the token endpoint; API tokens (django-rest-knox) expire and
can be revoked; every sign-in, failure and refusal is audited.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from users.models import AuditAction, AuditEvent, User
from users.sign_in import too_many_failures_message

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
FORM_URL = "/logg-inn/"
ADMIN_LOGIN_URL = "/admin/login/"


def fail_on_form(client, username, times):
    for _attempt in range(times):
        client.post(FORM_URL, {"username": username, "password": "wrong"})


def ask_token(username, password, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, **extra)


def admin_sign_in(client, username, password):
    return client.post(
        ADMIN_LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}
    )


def token_client(demo_data, username="stat.midtbyen"):
    response = ask_token(username, demo_data)
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


# --- Finding 2: the token endpoint can be brute-forced ------------------------------------------


def test_a_new_forwarded_for_per_request_does_not_escape_the_token_throttle(db):
    # API_TOKEN_THROTTLE is 10/min; a different name each time keeps the lockout out of it.
    answers = [
        ask_token(f"gjett{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(12)
    ]
    assert answers[:10] == [400] * 10
    assert answers[10:] == [429, 429]


def test_a_new_forwarded_for_per_request_does_not_escape_the_lockout(client, demo_data, settings):
    for n in range(settings.SIGN_IN_MAX_FAILURES):
        client.post(
            FORM_URL,
            {"username": "stat.midtbyen", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    refused = client.post(
        FORM_URL,
        {"username": "stat.midtbyen", "password": demo_data},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_out_on_the_form_means_no_token_and_no_admin(client, demo_data, settings):
    fail_on_form(client, "admin", settings.SIGN_IN_MAX_FAILURES)

    token = ask_token("admin", demo_data)
    assert token.status_code == 429
    assert token.json() == {"detail": too_many_failures_message()}
    assert token["Retry-After"] == str(settings.SIGN_IN_LOCKOUT_SECONDS)
    assert not AuthToken.objects.exists()

    admin = admin_sign_in(client, "admin", demo_data)
    assert admin.status_code == 429
    assert too_many_failures_message() in admin.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_at_the_token_endpoint_lock_the_form_out_too(client, demo_data, settings):
    for _attempt in range(settings.SIGN_IN_MAX_FAILURES):
        ask_token("stat.midtbyen", "wrong")
    refused = client.post(FORM_URL, {"username": "stat.midtbyen", "password": demo_data})
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors() == [too_many_failures_message()]
    assert "_auth_user_id" not in client.session


def test_failures_at_the_admin_lock_the_token_endpoint_out_too(client, demo_data, settings):
    for _attempt in range(settings.SIGN_IN_MAX_FAILURES):
        admin_sign_in(client, "admin", "wrong")
    assert ask_token("admin", demo_data).status_code == 429


def test_the_lockout_ends_after_the_cool_off(client, demo_data, settings):
    from axes.models import AccessAttempt

    fail_on_form(client, "stat.midtbyen", settings.SIGN_IN_MAX_FAILURES)
    assert ask_token("stat.midtbyen", demo_data).status_code == 429
    past = timezone.now() - timedelta(seconds=settings.SIGN_IN_LOCKOUT_SECONDS + 1)
    AccessAttempt.objects.update(attempt_time=past)
    assert ask_token("stat.midtbyen", demo_data).status_code == 200


def test_trusted_proxy_count_takes_the_address_its_proxy_appended(rf, settings):
    from users.sign_in import client_address

    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert client_address(request) == "10.0.0.2"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(request) == "192.0.2.7"


def test_sign_in_and_its_lockout_work_without_the_cache(client, demo_data, settings):
    """The lockout counts in the database: with Redis down, sign-in and the lockout still work."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    fail_on_form(client, "stat.midtbyen", settings.SIGN_IN_MAX_FAILURES)
    refused = client.post(FORM_URL, {"username": "stat.midtbyen", "password": demo_data})
    assert refused.status_code == 429
    ok = client.post(FORM_URL, {"username": "stat.heimdal", "password": demo_data})
    assert ok.status_code == 302


# --- Finding 3: the admin login had no lockout ---------------------------------------------------


def test_admin_login_eight_wrong_passwords_then_the_right_one_does_not_sign_in(client, demo_data):
    for _attempt in range(8):
        admin_sign_in(client, "admin", "wrong")
    response = admin_sign_in(client, "admin", demo_data)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_admin_login_still_works_below_the_limit(client, demo_data, settings):
    for _attempt in range(settings.SIGN_IN_MAX_FAILURES - 1):
        admin_sign_in(client, "admin", "wrong")
    assert admin_sign_in(client, "admin", demo_data).status_code == 302
    assert client.get("/admin/").status_code == 200


# --- Finding 4: the lockout key is the sign-in key ---------------------------------------------


def test_look_alike_usernames_share_one_count(client, demo_data, settings):
    look_alikes = ["ｓtat.midtbyen", "STAT.MIDTBYEN", "Stat.Midtbyen", "ＳＴＡＴ.midtbyen"]
    tried = (look_alikes * settings.SIGN_IN_MAX_FAILURES)[: settings.SIGN_IN_MAX_FAILURES]
    for username in tried:
        client.post(FORM_URL, {"username": username, "password": "wrong"})
    refused = client.post(FORM_URL, {"username": "stat.midtbyen", "password": demo_data})
    assert refused.status_code == 429
    assert ask_token("stat.midtbyen", demo_data).status_code == 429


def test_the_token_endpoint_signs_in_with_the_normalised_username(demo_data):
    response = ask_token("ｓtat.midtbyen", demo_data)  # full-width s, as the form accepts it
    assert response.status_code == 200
    assert AuthToken.objects.get().user.username == "stat.midtbyen"


# --- Finding 6: tokens never expired and could not be revoked -----------------------------------


def test_a_token_carries_its_expiry_from_the_setting(demo_data, settings):
    before = timezone.now()
    response = ask_token("stat.midtbyen", demo_data)
    assert set(response.json()) == {"token", "expiry"}
    expiry = AuthToken.objects.get().expiry
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert before + ttl <= expiry <= timezone.now() + ttl


def test_an_expired_token_is_401(demo_data):
    client = token_client(demo_data)
    assert client.get("/api/v1/me/").status_code == 200
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_delete_revokes_the_calling_token_only(demo_data):
    client = token_client(demo_data)
    other = token_client(demo_data)
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert other.get("/api/v1/me/").status_code == 200


def test_delete_without_a_token_is_401(db):
    response = APIClient().delete(TOKEN_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_a_password_change_revokes_every_token(demo_data):
    first, second = token_client(demo_data), token_client(demo_data)
    user = User.objects.get(username="stat.midtbyen")
    user.set_password("et-nytt-langt-passord")
    user.save()
    assert first.get("/api/v1/me/").status_code == 401
    assert second.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKENS_REVOKED)
    assert revoked.details == {"user": "stat.midtbyen", "reason": "password_changed", "count": 2}


def test_a_password_change_in_the_admin_revokes_every_token(client, demo_data):
    api = token_client(demo_data)
    target = User.objects.get(username="stat.midtbyen")
    client.force_login(User.objects.get(username="admin"))
    new = "et-nytt-langt-passord"
    response = client.post(
        f"/admin/users/user/{target.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKENS_REVOKED)
    assert revoked.actor.username == "admin"


def test_other_changes_to_the_user_keep_the_token(demo_data):
    api = token_client(demo_data)
    user = User.objects.get(username="stat.midtbyen")
    user.first_name = "Endret"
    user.save()
    assert api.get("/api/v1/me/").status_code == 200


def test_deactivating_the_user_revokes_every_token(demo_data):
    api = token_client(demo_data)
    user = User.objects.get(username="stat.midtbyen")
    user.is_active = False
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()
    assert api.get("/api/v1/me/").status_code == 401


# --- Finding 8: sign-in auditing had holes ------------------------------------------------------


def test_issuing_a_token_writes_a_sign_in_event(demo_data):
    ask_token("stat.midtbyen", demo_data)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.actor.username == "stat.midtbyen"
    assert event.details == {"method": "token"}
    assert event.ip_address == "127.0.0.1"


def test_form_and_admin_sign_ins_say_their_method(client, demo_data):
    client.post(FORM_URL, {"username": "stat.midtbyen", "password": demo_data})
    client.logout()
    admin_sign_in(client, "admin", demo_data)
    methods = {
        event.actor.username: event.details["method"]
        for event in AuditEvent.objects.filter(action=AuditAction.SIGN_IN)
    }
    assert methods == {"stat.midtbyen": "form", "admin": "admin"}


def test_every_attempt_refused_during_a_lockout_is_audited_on_every_path(
    client, demo_data, settings
):
    fail_on_form(client, "admin", settings.SIGN_IN_MAX_FAILURES)
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failed.count() == settings.SIGN_IN_MAX_FAILURES
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN_LOCKED_OUT).exists()

    client.post(FORM_URL, {"username": "admin", "password": demo_data})
    admin_sign_in(client, "ADMIN", demo_data)
    ask_token("ａdmin", demo_data)
    ask_token("admin", "wrong")

    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_LOCKED_OUT).order_by("pk")
    assert [(event.actor_username, event.details["method"]) for event in refused] == [
        ("admin", "form"),
        ("ADMIN", "admin"),
        ("admin", "token"),  # the endpoint normalises the name before signing in with it
        ("admin", "token"),
    ]
    for event in refused:
        assert event.actor is None
        assert event.ip_address == "127.0.0.1"
        assert demo_data not in str(event.details) and "wrong" not in str(event.details)
    # No event during the lockout counts as a plain failure, nor as a sign-in.
    assert failed.count() == settings.SIGN_IN_MAX_FAILURES
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()
