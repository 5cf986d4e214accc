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


def test_ingest_tokens_are_bound_to_an_account_the_user_by_default():
    tokens = TokenService(SECRET)
    own = tokens.verify(tokens.issue("desk1", "ingest"))
    assert (own.user, own.role, own.account) == ("desk1", "ingest", "desk1")
    named = tokens.verify(tokens.issue("feeder", "ingest", account="desk2"))
    assert (named.user, named.account) == ("feeder", "desk2")
    assert tokens.verify(tokens.issue("ops", "admin", account="desk3")).account == "desk3"


def test_tokens_without_an_account_stay_valid():
    now = int(time.time())
    claims = {"iat": now, "exp": now + 60, "iss": "tradewire", "jti": "j1"}
    for role in ("admin", "subscriber"):
        legacy = jwt.encode({**claims, "sub": "old", "role": role}, SECRET, algorithm="HS256")
        principal = TokenService(SECRET).verify(legacy)
        assert (principal.user, principal.role, principal.account) == ("old", role, None)


@pytest.mark.parametrize(
    ("role", "account"), [("ingest", ""), ("ingest", "x" * 101), ("root", None)]
)
def test_invalid_roles_and_accounts_are_refused_at_issue(role, account):
    with pytest.raises(AuthenticationError):
        TokenService(SECRET).issue("alice", role, account=account)


def test_ingest_needs_an_ingest_or_admin_token_and_its_own_account():
    tokens = TokenService(SECRET)
    ingest = tokens.verify(tokens.issue("desk1", "ingest"))
    ingest.require_ingest()
    ingest.may_ingest_into({"desk1"})
    with pytest.raises(ForbiddenError, match=r"'desk1' only.*'desk2'"):
        ingest.may_ingest_into({"desk1", "desk2"})
    subscriber = tokens.verify(tokens.issue("bob"))
    with pytest.raises(ForbiddenError, match="ingest or admin"):
        subscriber.require_ingest()
    admin = tokens.verify(tokens.issue("ops", "admin"))
    admin.require_ingest()
    admin.may_ingest_into({"desk1", "desk2"})
    assert (ingest.ingest_account, admin.ingest_account) == ("desk1", "ops")


def test_a_disabled_users_tokens_are_refused_and_others_work_as_before():
    disabled = {"alice"}
    tokens = TokenService(SECRET, disabled=disabled.__contains__)
    token = tokens.issue("alice", "admin")
    with pytest.raises(AuthenticationError, match="user disabled"):
        tokens.verify(token)
    assert tokens.verify(tokens.issue("never-added")).user == "never-added"
    disabled.clear()  # enabled again: the same token works
    assert tokens.verify(token).user == "alice"


def test_an_issued_token_says_when_it_expires():
    before = int(time.time())
    issued = TokenService(SECRET).issued("alice", ttl_days=0.5)
    after = int(time.time())
    claims = jwt.decode(issued.token, SECRET, algorithms=["HS256"], issuer="tradewire")
    assert issued.expires_s == claims["exp"]
    assert before + 43_200 <= claims["exp"] <= after + 43_200
