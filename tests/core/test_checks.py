"""Production refuses an unset SITE_URL: the system check core.E001 fails `manage.py check`
(and `--deploy`, `migrate`, `runserver`), and the WSGI application refuses to serve."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from training_portal.core.checks import check_site_url, refuse_unsafe_configuration

PRODUCTION = {"DEBUG": False, "TESTING": False, "OFFLINE_COMMAND": False}


@override_settings(**PRODUCTION, SITE_URL="")
def test_production_without_a_site_url_is_an_error() -> None:
    [error] = check_site_url()
    assert isinstance(error, checks.Error)
    assert error.id == "core.E001"
    assert error.msg == "SITE_URL is not set."
    assert "SITE_URL=https://portal.example.edu" in (error.hint or "")


@pytest.mark.parametrize(
    "overrides",
    [
        {**PRODUCTION, "SITE_URL": "https://portal.example.edu"},
        {**PRODUCTION, "DEBUG": True, "SITE_URL": ""},
        {**PRODUCTION, "TESTING": True, "SITE_URL": ""},
        {**PRODUCTION, "OFFLINE_COMMAND": True, "SITE_URL": ""},
    ],
)
def test_a_set_site_url_development_tests_and_offline_commands_pass(
    overrides: dict[str, object],
) -> None:
    with override_settings(**overrides):
        assert check_site_url() == []


@override_settings(**PRODUCTION, SITE_URL="")
def test_the_check_is_registered_and_runs_with_the_deploy_checks() -> None:
    found = checks.run_checks(include_deployment_checks=True)
    assert "core.E001" in [message.id for message in found]


@override_settings(**PRODUCTION, SITE_URL="")
def test_the_server_refuses_to_start_without_a_site_url() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"SITE_URL is not set"):
        refuse_unsafe_configuration()


@override_settings(**PRODUCTION, SITE_URL="https://portal.example.edu")
def test_the_server_starts_with_a_site_url() -> None:
    refuse_unsafe_configuration()
