"""Auto-login credentials: environment names, validation, and secrecy of errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from tradewire.capture.config import CaptureSessionSettings, CaptureSettings, login_env, login_key
from tradewire.cli import app
from tradewire.settings import Settings

SECRET = "Pa55-w0rd.never@shown"
PREFIX = "TRADEWIRE_CAPTURE__LOGIN__"


@pytest.mark.parametrize(
    ("account", "key"),
    [
        ("desk1", "DESK1"),
        ("trader@firm.com", "TRADER_FIRM_COM"),
        ("ann.b-c_d", "ANN_B_C_D"),
        ("a..b", "A_B"),  # never the "__" that separates nested settings
        ("a_.b", "A_B"),
        ("desk-", "DESK"),
        ("Desk1", "DESK1"),
    ],
)
def test_an_account_maps_to_an_environment_name(account, key):
    assert login_key(account) == key
    assert login_env(account, "tradovate", "password") == f"{PREFIX}{key}__TRADOVATE__PASSWORD"


def test_credentials_come_from_the_environment_per_account_and_site(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(login_env("trader@firm.com", "tradovate", "username"), "trader@firm.com")
    monkeypatch.setenv(login_env("trader@firm.com", "tradovate", "password"), SECRET)
    capture = Settings().capture
    credentials = capture.credentials("trader@firm.com", "tradovate")
    assert credentials is not None
    assert credentials.username.get_secret_value() == "trader@firm.com"
    assert credentials.password.get_secret_value() == SECRET
    assert capture.credentials("trader@firm.com", "tradingview") is None
    assert capture.credentials("someone-else", "tradovate") is None
    assert SECRET not in repr(capture) and SECRET not in str(capture.model_dump())


def test_no_credentials_means_no_auto_login(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    capture = Settings().capture
    assert capture.login == {}
    assert capture.credentials("desk1", "tradovate") is None


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"DESK1__TRADOVATE__PASSWORD": SECRET}, "USERNAME is not set"),
        ({"DESK1__TRADOVATE__USERNAME": "ann"}, "PASSWORD is not set"),
        ({"DESK1__TRADOVATE__USERNAME": "ann", "DESK1__TRADOVATE__PASSWORD": ""}, "is empty"),
        ({"DESK1__TRADOVATE__PASWORD": SECRET}, "Extra inputs are not permitted"),
        ({"DESK1__NINJATRADER__PASSWORD": SECRET}, "Extra inputs are not permitted"),
    ],
)
def test_incomplete_credentials_are_a_clear_error_that_never_quotes_them(
    monkeypatch, tmp_path, variables, reason
):
    monkeypatch.chdir(tmp_path)
    for name, value in variables.items():
        monkeypatch.setenv(PREFIX + name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert reason in str(caught.value)
    assert "capture.login.DESK1" in str(caught.value) or "capture.login.desk1" in str(caught.value)
    # What a traceback or a log of the error would show.
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)


def test_the_cli_names_the_missing_credential_and_exits_2(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(PREFIX + "DESK1__TRADOVATE__PASSWORD", SECRET)
    result = CliRunner().invoke(
        app, ["capture", "launch", "--account", "desk1", "--site", "tradovate"]
    )
    assert result.exit_code == 2
    assert "USERNAME is not set" in result.output and SECRET not in result.output


def test_two_accounts_sharing_a_login_name_are_refused():
    sessions = [
        CaptureSessionSettings(account=a, mode="attach", cdp_url="http://127.0.0.1:9222")
        for a in ("desk.1", "desk-1")
    ]
    login = {"desk_1": {"tradovate": {"username": "ann", "password": SECRET}}}
    with pytest.raises(ValidationError, match="TRADEWIRE_CAPTURE__LOGIN__DESK_1__"):
        CaptureSettings(sessions=sessions, login=login)
    # Without credentials for that name the two accounts are fine.
    assert len(CaptureSettings(sessions=sessions).sessions) == 2


def test_a_json_value_may_name_the_account_itself():
    capture = CaptureSettings(
        login={"trader@firm.com": {"tradingview": {"username": "ann", "password": SECRET}}}
    )
    assert capture.credentials("trader@firm.com", "tradingview") is not None
    with pytest.raises(ValidationError, match="same account"):
        CaptureSettings(login={"a.b": {}, "A_B": {}})
