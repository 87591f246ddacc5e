"""Vetted sign-up (issue 13): the public form says the same whatever is registered already; a new account sees
nothing of its enterprise and may not apply until the reviewer has checked its business licence; a vetted enterprise
cannot change its own credit code (the blacklist evasion), only the platform can, on the record."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import argon2
import pytest
from sqlalchemy import func, select

from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import AuditRecord, Enterprise, Message, SignUp, User
from tests.conftest import csrf_token
from tests.flows import Flows
from tests.web.test_confirmations import text_of
from tests.web.test_forms import REGISTER, feedback, post_form

ANSWER = "注册申请已提交"
EXISTING_CODE = "91320706MA1Q8RXL4A"  # ent1's, already registered
PDF = b"%PDF-1.4\n%licence\n"


def count(model) -> int:  # type: ignore[no-untyped-def]
    return int(db.session.scalar(select(func.count()).select_from(model)))


def user(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == name))


def visible_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page without its one-time tokens (which differ on every page)."""
    import re

    return re.sub(r'value="[^"]{20,}"', "", response.get_data(as_text=True))


def test_the_form_answers_alike_for_a_new_company_a_registered_code_and_a_taken_username(client, people, monkeypatch):
    hashed: list[int] = []
    real = argon2.PasswordHasher.hash
    monkeypatch.setattr(argon2.PasswordHasher, "hash", lambda self, pw, **kw: hashed.append(1) or real(self, pw))
    enterprises, users = count(Enterprise), count(User)

    fresh = post_form(client, "/register", REGISTER)
    joining = post_form(client, "/register", REGISTER | {"credit_code": EXISTING_CODE, "username": "joiner"})
    taken = post_form(client, "/register", REGISTER | {"username": "ent2", "credit_code": "91320703MA1MB4FT6K"})

    pages = [
        visible_text(r).replace("newco", "U").replace("joiner", "U").replace("ent2", "U")
        for r in (fresh, joining, taken)
    ]
    assert [r.status_code for r in (fresh, joining, taken)] == [200, 200, 200]
    assert pages[0] == pages[1] == pages[2]  # before: "该统一社会信用代码已注册" for a company already a user
    assert (
        ANSWER in pages[0]
        and "已注册" not in pages[0]
        and "已被使用" not in visible_text(taken).split("如果无法登录")[0]
    )
    assert hashed == [1, 1, 1]  # the same work each time
    assert count(Enterprise) == enterprises + 1  # the new company only
    assert count(User) == users + 2  # newco and joiner; "ent2" stays the one it was
    newco, joiner = user("newco"), user("joiner")
    assert (newco.vetted, joiner.vetted) == (False, False)
    assert joiner.enterprise.credit_code == EXISTING_CODE
    assert db.session.scalar(select(SignUp.joins_existing).where(SignUp.user_id == joiner.id)) is True
    told = db.session.scalars(
        select(Message.user_id).where(Message.subject == "有人以贵企业的统一社会信用代码注册了新账户")
    )
    assert set(told) == {user("ent1").id}  # the enterprise's own users are told, not the public


def test_an_unvetted_account_sees_nothing_of_the_enterprise_it_names(client, people, auth, traveller):
    Flows(traveller).to(State.DISBURSED)  # ent1 has a bridge out
    post_form(client, "/register", REGISTER | {"credit_code": EXISTING_CODE, "username": "joiner"})
    assert auth.login("joiner", REGISTER["password"]).status_code == 302
    home = client.get("/home").get_data(as_text=True)
    assert "待平台审核" in home and "请上传营业执照" in home
    assert "海润" not in home  # ent1's name
    for path in ("/applications/new", "/enterprise"):
        assert client.get(path).status_code == 404, path
    assert "LYG" not in client.get("/applications").get_data(as_text=True)
    basic = base64.b64encode(f"joiner:{REGISTER['password']}".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/applications", "/api/v1/enterprises/me"):
        refused = client.get(path, headers=bearer)
        assert refused.status_code == 403, path
        assert refused.get_json()["detail"] == "企业注册尚待平台审核，审核通过后方可使用接口"
    assert client.get("/api/v1/tokens", headers=bearer).status_code == 200


def fetched(client, path: str) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """A file download, its file closed (send_file streams from an open file)."""
    response = client.get(path)
    try:
        return response.status_code, response.data
    finally:
        response.close()


def upload(client, data: bytes = PDF, name: str = "营业执照.pdf"):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/home").get_data(as_text=True))
    return client.post(
        "/sign-up/licence",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_reviewer_vets_against_the_licence_and_then_the_account_may_apply(client, people, auth):
    post_form(client, "/register", REGISTER)
    newco = user("newco")
    record = db.session.scalar(select(SignUp).where(SignUp.user_id == newco.id))
    auth.login("reviewer")
    assert "有 1 个企业注册待审核" in client.get("/home").get_data(as_text=True)
    early = post_form(client, f"/sign-ups/{record.id}", {"decision": "approve", "note": ""})
    assert early.status_code == 422
    assert "尚未上传营业执照，不能通过" in early.get_data(as_text=True)
    bare = post_form(client, f"/sign-ups/{record.id}", {"decision": "return", "note": ""})
    assert "退回须写明原因" in bare.get_data(as_text=True)

    auth.login("newco", REGISTER["password"])
    wrong = upload(client, b"PK\x03\x04", "执照.docx")
    assert "只接受 PDF、JPG、PNG 格式的文件" in wrong.get_data(as_text=True)
    assert "营业执照已上传，等待平台审核" in upload(client).get_data(as_text=True)
    assert fetched(client, f"/sign-ups/{record.id}/licence") == (200, PDF)

    auth.login("ent2")
    assert fetched(client, f"/sign-ups/{record.id}/licence")[0] == 404
    auth.login("reviewer")
    assert fetched(client, f"/sign-ups/{record.id}/licence") == (200, PDF)
    returned = post_form(client, f"/sign-ups/{record.id}", {"decision": "return", "note": "执照模糊，请重新扫描"})
    assert returned.status_code == 302
    auth.login("newco", REGISTER["password"])
    assert "注册被退回：执照模糊，请重新扫描" in client.get("/home").get_data(as_text=True)
    upload(client)
    auth.login("reviewer")
    assert post_form(client, f"/sign-ups/{record.id}", {"decision": "approve", "note": ""}).status_code == 302
    db.session.expire_all()
    assert user("newco").vetted is True
    auth.login("newco", REGISTER["password"])
    assert client.get("/applications/new").status_code == 200
    assert "企业注册已通过审核" in client.get("/inbox").get_data(as_text=True)


@pytest.mark.parametrize("who", ["operator", "group", "admin", "bank1", "ent1"])
def test_only_the_reviewer_vets(client, people, auth, who):
    post_form(client, "/register", REGISTER)
    record = db.session.scalar(select(SignUp))
    auth.login(who)
    assert client.get("/sign-ups").status_code == 404
    assert client.get(f"/sign-ups/{record.id}").status_code == 404
    token = csrf_token(client.get("/home").get_data(as_text=True))
    answer = client.post(f"/sign-ups/{record.id}", data={"csrf_token": token, "decision": "approve"})
    assert answer.status_code == 404
    assert db.session.scalar(select(SignUp.state)) == "pending"


def test_a_vetted_enterprise_cannot_change_its_own_credit_code_name_or_district(client, people, auth):
    """Before: a blacklisted enterprise changed its credit code on /enterprise and applied again (201)."""
    auth.login("ent1")
    ent1 = user("ent1").enterprise
    data = {
        "name": "另一家公司",
        "credit_code": "91320703MA1MB4FT6K",
        "district": "ganyu",
        "industry": ent1.industry,
        "employees": str(ent1.employees),
        "revenue": ent1.revenue.plain(),
        "assets": ent1.assets.plain(),
        "contact_name": "张三",
        "contact_phone": "13800000000",
    }
    refused = post_form(client, "/enterprise", data)
    assert refused.status_code == 200
    fixed = "企业名称、统一社会信用代码和所在县区由平台核定，如需更改请联系平台"
    html = refused.get_data(as_text=True)
    for field in ("name", "credit_code", "district"):
        assert feedback(html, field) == [fixed], field
    db.session.refresh(ent1)
    assert (ent1.credit_code, ent1.district) == (EXISTING_CODE, "haizhou")


def test_the_reviewer_corrects_the_identity_on_the_record(client, people, auth):
    post_form(client, "/register", REGISTER | {"name": "新公司（笔误）"})
    record = db.session.scalar(select(SignUp))
    auth.login("reviewer")
    clash = post_form(
        client,
        f"/sign-ups/{record.id}",
        {"what": "identity", "name": "新公司", "credit_code": EXISTING_CODE, "district": "haizhou"},
    )
    assert "该统一社会信用代码已属于另一家企业" in clash.get_data(as_text=True)
    done = post_form(
        client,
        f"/sign-ups/{record.id}",
        {
            "what": "identity",
            "name": "连云港新企业有限公司",
            "credit_code": REGISTER["credit_code"],
            "district": "lianyun",
        },
    )
    assert done.status_code == 302
    change = db.session.scalars(
        select(AuditRecord).where(AuditRecord.subject == "enterprises", AuditRecord.action == "update")
    ).all()[-1]
    assert (change.actor_id, change.old, change.new) == (
        user("reviewer").id,
        {"name": "新公司（笔误）", "district": "haizhou"},
        {"name": "连云港新企业有限公司", "district": "lianyun"},
    )


@pytest.mark.parametrize("who", ["ent1", "operator", "reviewer"])
def test_only_an_unvetted_account_uploads_a_licence(client, people, auth, who):
    auth.login(who)
    answer = upload(client)
    assert answer.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SignUp)) == 0


def test_sign_ups_under_a_firms_code_tell_its_users_in_fixed_words_once_a_day(client, people, traveller):
    """Issue 25, finding 4: each anonymous sign-up with another firm's credit code e-mailed that firm's users, quoting
    a username the attacker chose, without limit. Now the words are fixed and the firm hears once a day."""
    for number in range(5):
        post_form(
            client,
            "/register",
            REGISTER | {"credit_code": EXISTING_CODE, "username": f"点击http://evil.example/{number}"},
        )
    told = db.session.scalars(select(Message).where(Message.user_id == user("ent1").id, Message.kind == "sign_up_join"))
    bodies = [m.body for m in told]
    assert bodies == [
        "有人以贵企业的统一社会信用代码注册了新账户。平台将核对营业执照后决定是否准许其加入；"
        "如非贵企业人员所为，请告知平台。（同一天内的其他此类注册不再另行通知。）"
    ]
    traveller.shift(timedelta(days=1, minutes=1))
    post_form(client, "/register", REGISTER | {"credit_code": EXISTING_CODE, "username": "next-day"})
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.user_id == user("ent1").id, Message.kind == "sign_up_join")
        )
        == 2
    )


def test_a_sign_up_cannot_fill_the_disk_with_licences(client, people, app, tmp_path):
    """Issue 25, finding 2: fifteen 10 MB licence uploads in four seconds left 147 MB nobody referred to. A licence is
    at most 5 MB, a replaced one is deleted, and a sign-up sends its licence at most ten times."""
    from loanfund.services.people import vetting

    app.config["UPLOAD_DIR"] = str(tmp_path)
    post_form(client, "/register", REGISTER)
    newco = user("newco")
    with pytest.raises(InvalidInput) as caught:
        vetting.attach_licence(newco, "big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    db.session.rollback()
    assert caught.value.errors == {"file": ["营业执照文件不能超过 5 MB"]}
    for number in range(10):
        vetting.attach_licence(newco, f"licence-{number}.pdf", b"%PDF-1.4\n%" + str(number).encode())
        assert len(list(tmp_path.iterdir())) == 1  # the one it replaced is gone
    with pytest.raises(InvalidInput) as caught:
        vetting.attach_licence(newco, "licence-11.pdf", b"%PDF-1.4\n%11")
    db.session.rollback()
    assert caught.value.errors == {"file": ["营业执照已上传 10 次，如需再次更换请联系平台"]}


def test_sign_ups_are_counted_per_address_and_per_credit_code(client, people, traveller):
    """Issue 25, finding 4: anonymous sign-ups came without limit (eight at once slowed the login to 5.5 s). Now
    three a quarter-hour under one credit code and ten from one address, counted in the database before the password
    is hashed; the refused one creates nothing and keeps the form as typed."""
    from tests.factories import credit_code

    hashed: list[int] = []
    real = argon2.PasswordHasher.hash

    def sign_up(address: str, username: str, code: str):  # type: ignore[no-untyped-def]
        client.environ_base["REMOTE_ADDR"] = address
        name = f"连云港{username}有限公司"
        return post_form(client, "/register", REGISTER | {"username": username, "credit_code": code, "name": name})

    codes = [credit_code(f"91320703MA1MB4F{n:02d}") for n in range(14)]
    first = [sign_up("10.0.0.1", f"same{n}", codes[0]) for n in range(3)]
    assert [ANSWER in r.get_data(as_text=True) for r in first] == [True, True, True]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(argon2.PasswordHasher, "hash", lambda self, pw, **kw: hashed.append(1) or real(self, pw))
        fourth = sign_up("10.0.0.1", "same3", codes[0])
        elsewhere = sign_up("10.0.0.2", "same4", codes[0])  # the code's limit holds from any address
    for refused in (fourth, elsewhere):
        assert refused.status_code == 429
        assert "注册过于频繁，请 15 分钟后再试" in refused.get_data(as_text=True)
        assert 'value="连云港新企业' not in refused.get_data(as_text=True)
    assert hashed == []  # refused before the password is hashed
    assert user("same3") is None and user("same4") is None
    assert ANSWER in sign_up("10.0.0.2", "other", codes[1]).get_data(as_text=True)

    from_one_office = [sign_up("10.0.0.3", f"office{n}", codes[2 + n]) for n in range(10)]
    assert all(ANSWER in r.get_data(as_text=True) for r in from_one_office)
    eleventh = sign_up("10.0.0.3", "office10", codes[12])
    assert eleventh.status_code == 429 and user("office10") is None

    traveller.shift(timedelta(minutes=16))
    assert ANSWER in sign_up("10.0.0.3", "office10", codes[12]).get_data(as_text=True)
    assert ANSWER in sign_up("10.0.0.1", "same3", codes[0]).get_data(as_text=True)


def test_the_sweep_removes_the_licence_of_a_sign_up_returned_and_left(client, people, app, tmp_path, traveller):
    """Issue 25, finding 2: a returned sign-up nobody sends again held its licence file for good. Thirty days after
    the return the sweep lets go of it and deletes the file, and tells the user; a vetted sign-up's licence stays."""
    from loanfund.services.oversight.sweep import sweep
    from loanfund.services.people import vetting
    from tests.factories import credit_code

    app.config["UPLOAD_DIR"] = str(tmp_path)
    post_form(client, "/register", REGISTER)
    post_form(
        client,
        "/register",
        REGISTER
        | {"username": "keepco", "credit_code": credit_code("91320703MA1MB4F00"), "name": "连云港保留有限公司"},
    )
    left, kept = user("newco"), user("keepco")
    vetting.attach_licence(left, "licence.pdf", PDF)
    vetting.attach_licence(kept, "licence.png", b"\x89PNG\r\n\x1a\nkept")
    returned, vetted = vetting.own_sign_up(left), vetting.own_sign_up(kept)
    vetting.decide(people["reviewer"], returned.id, approve=False, note="营业执照不清晰")
    vetting.decide(people["reviewer"], vetted.id, approve=True, note="")
    digest, kept_digest = returned.licence_sha256, vetted.licence_sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([digest, kept_digest])

    traveller.shift(timedelta(days=29, hours=23))
    assert sweep().licences_removed == []
    assert (tmp_path / digest).exists()

    traveller.shift(timedelta(hours=2))
    assert sweep().licences_removed == [digest]
    assert [p.name for p in tmp_path.iterdir()] == [kept_digest]
    record = db.session.get(SignUp, returned.id)
    assert (record.state, record.note, record.licence_sha256, record.licence_name) == (
        "returned",
        "营业执照不清晰",
        None,
        None,
    )
    told = db.session.scalars(select(Message).where(Message.user_id == left.id).order_by(Message.id)).all()[-1]
    assert (told.subject, told.body) == (
        "营业执照文件已删除",
        "贵企业的注册退回后 30 天内未重新上传营业执照，已上传的文件已删除。如仍需注册，请重新上传营业执照。",
    )
    assert sweep().licences_removed == []  # once
    vetting.attach_licence(left, "again.pdf", PDF + b"again")  # and the user may send it again
    assert db.session.get(SignUp, returned.id).state == "pending"


def test_the_reviewer_reads_what_was_declared_beside_the_licence(client, people, auth):
    post_form(client, "/register", REGISTER | {"legal_representative": "王海", "address": "海州区朝阳东路 88 号"})
    record = db.session.scalar(select(SignUp).where(SignUp.user_id == user("newco").id))
    auth.login("reviewer")
    words = text_of(client.get(f"/sign-ups/{record.id}").get_data(as_text=True))
    # REGISTER: 工业, 50 people, 5,000,000.00 of revenue, 3,000,000.00 of assets — a small industrial firm (工业:
    # small from 20 people and 300万 of revenue, medium from 300 people and 2000万)
    assert (
        "法定代表人 王海 地址 海州区朝阳东路 88 号 所属行业 工业 从业人员 50 人 上年营业收入 5,000,000.00 元 "
        "资产总额 3,000,000.00 元 企业规模（按所填数字划型） 小型企业"
    ) in words
