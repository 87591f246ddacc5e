"""忘记密码 (issue 30), on both databases: one answer whatever is named; a link only to an active account's address,
its token stored as a digest, replaced by a newer request, good for 30 minutes and once; the new password as strong
as any; every session and API token of the user ended; the requests counted per address and per name, and recorded.
Through a real SMTP server (aiosmtpd) the mail carries the link that works."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from loanfund.domain.errors import InvalidInput, NotFound
from loanfund.extensions import db
from loanfund.models import MailDelivery, Message, PasswordReset, User, UserSession
from loanfund.services.oversight.mailer import deliver
from loanfund.services.people import password_reset, sessions, tokens
from loanfund.services.people.accounts import authenticate
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_mail import smtp  # noqa: F401  (the real SMTP server fixture)

pytestmark = pytest.mark.both_databases

NEW = "Qiao-Liang-2026-xin"
LINK = "https://loanfund.example/password/reset/"


def ask(identifier: str, address: str = "10.0.0.7") -> list[str]:
    """Request a reset; the tokens of the links sent."""
    sent: list[str] = []
    password_reset.request(identifier, address=address, link=lambda token: sent.append(token) or LINK + token)
    return sent


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def open_sessions(who: User) -> int:
    where = (UserSession.user_id == who.id) & UserSession.ended_at.is_(None)
    return int(db.session.scalar(select(func.count()).select_from(UserSession).where(where)) or 0)


def records() -> list[tuple[str, str, str | None]]:
    rows = db.session.scalars(select(PasswordReset).order_by(PasswordReset.id))
    return [(r.identifier, r.outcome, r.user.username if r.user else None) for r in rows]


def test_a_link_goes_only_to_an_active_account_with_an_address_and_every_request_is_recorded(people, traveller):
    user("ent2").email = None
    user("ent3").active = False
    db.session.commit()
    assert ask("ent1") != []
    assert ask("nobody") == []
    assert ask("ent2") == []
    assert ask("ent3") == []
    assert ask("BANK1@Example.Test") != []  # by the address on the account, whatever its case
    assert records() == [
        ("ent1", "sent", "ent1"),
        ("nobody", "unknown", None),
        ("ent2", "no_email", "ent2"),
        ("ent3", "inactive", "ent3"),
        ("BANK1@Example.Test", "sent", "bank1"),
    ]
    [message] = db.session.scalars(
        select(Message).where(Message.kind == "password_reset", Message.user_id == user("ent1").id)
    )
    assert message.subject == "重置密码" and LINK in message.body and "30 分钟内" in message.body
    assert message.delivery is not None and message.delivery.to_address == "ent1@example.test"
    stored = db.session.scalars(select(PasswordReset.token_hash).where(PasswordReset.outcome == "sent")).all()
    token = message.body.split(LINK)[1].split()[0]
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored  # the digest only


def test_the_link_sets_the_password_once_and_ends_every_session_and_token(people, traveller):
    ent1 = user("ent1")
    api_token, _ = tokens.issue_token("ent1", DEMO_PASSWORD, address="127.0.0.1")
    sessions.begin(ent1, address="127.0.0.1", agent="another browser")
    db.session.commit()
    assert open_sessions(ent1) == 1
    [token] = ask("ent1")
    with pytest.raises(InvalidInput) as weak:
        password_reset.reset(token, "12345678", "12345678")
    assert "new_password" in weak.value.errors
    with pytest.raises(InvalidInput) as differ:
        password_reset.reset(token, NEW, NEW + "x")
    assert differ.value.errors == {"new_password_again": ["两次输入的新密码不一致"]}
    assert password_reset.find(token).user_id == ent1.id  # still good after refusals
    password_reset.reset(token, NEW, NEW)
    assert authenticate("ent1", NEW, address="127.0.0.1").id == ent1.id
    assert tokens.token_for(api_token) is None
    assert open_sessions(ent1) == 0
    with pytest.raises(NotFound) as again:
        password_reset.reset(token, NEW + "2", NEW + "2")
    assert again.value.message == "该重置链接无效、已使用或已过期，请重新申请“忘记密码”"


def test_a_link_lasts_30_minutes_and_a_newer_one_replaces_it(people, traveller):
    [first] = ask("ent1")
    [second] = ask("ent1")
    with pytest.raises(NotFound):
        password_reset.find(first)
    traveller.shift(timedelta(minutes=29, seconds=59))
    assert password_reset.find(second).user.username == "ent1"  # type: ignore[union-attr]
    traveller.shift(timedelta(seconds=1))
    with pytest.raises(NotFound):
        password_reset.reset(second, NEW, NEW)


def test_requests_are_counted_per_name_and_per_address_and_answered_alike(people, traveller):
    assert [len(ask("ent1")) for _ in range(4)] == [1, 1, 1, 0]  # three for a name in 15 minutes
    assert [len(ask(f"ent{n}", address="10.0.0.8")) for n in (2, 3, 2, 3, 2, 3)] == [1, 1, 1, 1, 1, 1]
    # ten for an address: the eleventh is refused whatever it names
    assert [len(ask(name, address="10.0.0.8")) for name in ("bank1", "bank2", "operator", "reviewer", "group")] == [
        1,
        1,
        1,
        1,
        0,
    ]
    assert [r[1] for r in records()].count("throttled") == 2
    traveller.shift(timedelta(minutes=15, seconds=1))
    assert len(ask("ent1")) == 1


@pytest.mark.migrated  # SQLite as a file, its writers serialised as in production (in memory it is one connection)
def test_two_uses_of_one_link_at_once_set_one_password(people, traveller, app):
    [token] = ask("ent1")
    db.session.remove()
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def use(password: str) -> None:
        with app.app_context():
            try:
                password_reset.find(token)
                db.session.rollback()  # hold no lock or connection while waiting for the other
                barrier.wait(timeout=30)
                password_reset.reset(token, password, password)
                result = "set"
            except NotFound:
                db.session.rollback()
                result = "gone"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=use, args=(NEW + suffix,)) for suffix in ("-a", "-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["gone", "set"]
    used = db.session.scalars(select(PasswordReset).where(PasswordReset.used_at.is_not(None))).all()
    assert len(used) == 1
    assert sum(authenticate_ok("ent1", NEW + suffix) for suffix in ("-a", "-b")) == 1  # one password, the taker's


def authenticate_ok(username: str, password: str) -> bool:
    from loanfund.services.people.accounts import AuthenticationFailed

    try:
        authenticate(username, password, address="10.9.9.9")
    except AuthenticationFailed:
        return False
    return True


def test_the_mail_through_a_real_smtp_server_carries_the_link_that_works(smtp, people, traveller, client):  # noqa: F811
    inbox, _ = smtp
    page = client.get("/password/forgot")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf is not None
    answer = client.post("/password/forgot", data={"identifier": "ent1", "csrf_token": csrf.group(1)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    report = deliver()
    assert report.failed == 0
    [(to, subject, body)] = inbox.about("重置密码")
    assert to == ["ent1@example.test"] and subject == "【应急转贷】重置密码"
    link = re.search(r"http://localhost/password/reset/([A-Za-z0-9_-]{43})", body)
    assert link is not None
    form = client.get(f"/password/reset/{link.group(1)}")
    assert form.status_code == 200 and "设置新密码 · ent1" in form.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MailDelivery).where(MailDelivery.state == "sent")) >= 1
