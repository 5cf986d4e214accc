"""JWT issue/verify and the secret file."""

import stat
import time

import jwt
import pytest

from tradewire.api.auth import TokenService, bearer_token, load_or_create_secret
from tradewire.core.errors import AuthenticationError, ConfigError, ForbiddenError

SECRET = "s" * 48


def test_issue_and_verify_round_trip():
    tokens = TokenService(SECRET)
    principal = tokens.verify(tokens.issue("alice", "admin"))
    assert (principal.user, principal.role) == ("alice", "admin")
    principal.require_admin()
    with pytest.raises(ForbiddenError):
        tokens.verify(tokens.issue("bob")).require_admin()


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "garbage",
        jwt.encode({"sub": "x", "role": "admin"}, SECRET, algorithm="HS256"),
        TokenService("other-secret-" * 4).issue("mallory", "admin"),
        jwt.encode(
            {"sub": "x", "role": "admin", "iat": 1, "exp": 2, "iss": "tradewire"},
            SECRET,
            algorithm="HS256",
        ),
        jwt.encode(
            {
                "sub": "x",
                "role": "root",
                "iat": int(time.time()),
                "exp": int(time.time()) + 60,
                "iss": "tradewire",
            },
            SECRET,
            algorithm="HS256",
        ),
    ],
)
def test_bad_tokens_are_refused(token):
    with pytest.raises(AuthenticationError):
        TokenService(SECRET).verify(token)


def test_none_algorithm_is_refused():
    unsigned = jwt.encode(
        {
            "sub": "x",
            "role": "admin",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "iss": "tradewire",
        },
        None,
        algorithm="none",
    )
    with pytest.raises(AuthenticationError):
        TokenService(SECRET).verify(unsigned)


def test_secret_file_is_created_once_with_0600(tmp_path):
    path = tmp_path / "sub" / "jwt_secret"
    first = load_or_create_secret(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(None, path) == first
    assert len(first) >= 32
    assert load_or_create_secret("c" * 40, path) == "c" * 40
    with pytest.raises(ConfigError):
        load_or_create_secret("short", path)


def test_bearer_header_wins_over_query():
    assert bearer_token("Bearer abc", "xyz") == "abc"
    assert bearer_token("Basic abc", "xyz") == "xyz"
    assert bearer_token(None, None) is None
