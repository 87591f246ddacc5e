"""Ask once (issue 30): the business licence a sign-up was vetted against counts for the enterprise's applications —
filed under each new one's checklist — until a newer licence replaces it (one filed with a later application); a
fund whose checklist does not ask for a licence gets none; a licence whose file is gone is not carried.
Both databases."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import Material, MaterialItem, SignUp, User
from loanfund.services.applications import materials
from loanfund.services.people import vetting
from tests.flows import Flows
from tests.web.test_forms import REGISTER, post_form

pytestmark = pytest.mark.both_databases

FIRST = b"%PDF-1.4\n%licence issued 2021\n"
SECOND = b"%PDF-1.4\n%licence re-issued 2026\n"


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def _licences(application_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(
        select(Material).where(Material.application_id == application_id, Material.category == "licence")
    )
    return [(m.filename, m.sha256, _name_of(m.uploaded_by_id)) for m in rows]


def _name_of(user_id: int) -> str:
    return db.session.get_one(User, user_id).username


def _vetted_newcomer(client) -> User:  # type: ignore[no-untyped-def]
    post_form(client, "/register", REGISTER)
    newco = _user("newco")
    vetting.attach_licence(newco, "营业执照.pdf", FIRST)
    record = db.session.scalars(select(SignUp).where(SignUp.user_id == newco.id)).one()
    vetting.decide(_user("reviewer"), record.id, approve=True, note="")
    return newco


def test_the_vetted_licence_counts_until_a_newer_one_replaces_it(client, people, traveller):
    _vetted_newcomer(client)
    flows = Flows(traveller)
    first = flows.submit(enterprise="newco", documents=False)
    assert _licences(first.id) == [("营业执照.pdf", hashlib.sha256(FIRST).hexdigest(), "newco")]
    assert "licence" not in [item.code for item in materials.missing(first, "accept")]
    materials.upload(_user("newco"), first.id, "licence", [("新营业执照.pdf", SECOND)])
    second = flows.submit(enterprise="newco", documents=False)
    assert _licences(second.id) == [("新营业执照.pdf", hashlib.sha256(SECOND).hexdigest(), "newco")]


def test_a_checklist_without_a_licence_or_a_licence_let_go_carries_none(client, people, traveller):
    _vetted_newcomer(client)
    flows = Flows(traveller)
    item = db.session.scalars(select(MaterialItem).where(MaterialItem.code == "licence")).first()
    assert item is not None
    item.active = False
    db.session.commit()
    assert _licences(flows.submit(enterprise="newco", documents=False).id) == []
    item.active = True
    db.session.commit()
    digest = hashlib.sha256(FIRST).hexdigest()
    (materials.storage_dir() / digest).unlink()  # its file gone from the store: nothing to file
    assert _licences(flows.submit(enterprise="newco", documents=False).id) == []
