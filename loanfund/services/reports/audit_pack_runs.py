"""The audit pack as a job, not a request (issue 25, finding 11): the leading group asks for a year's pack, and it is
built outside the web request — in a thread of the process that was asked, and by ``loanfund audit-pack-runs`` (a
cron line), which also takes up a run whose process died. A year of hundreds of applications and their scanned
documents took longer than a request may (284 MB in 23 s for 20 applications, against gunicorn's 30 s).

A run is claimed by one statement (queued → running), so two runners never build the same one. The newest finished
pack of a year is kept, with its size and SHA-256; an older one's file is deleted when a newer one is done.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select, update

from loanfund import clock
from loanfund.database import affected
from loanfund.domain.errors import NotAllowed, NotFound
from loanfund.extensions import db
from loanfund.models import AuditPackRun, User
from loanfund.services.reports import audit_pack
from loanfund.services.uow import finish

STALE_AFTER = timedelta(hours=2)  # a run still "running" this long after it started: its process is gone
SHOWN = 20  # runs listed on the page


def folder() -> Path:
    """Where finished packs are kept: ``AUDIT_PACK_DIR``, or beside the uploads (outside the web root)."""
    configured = current_app.config.get("AUDIT_PACK_DIR")
    if configured:
        return Path(configured)
    uploads = current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "materials"
    return Path(uploads).parent / "audit-packs"


def ask(actor: User, year: int) -> AuditPackRun:
    """The group asks for its fund's pack of ``year``; a run of that year already waiting or running is the answer
    instead.

    :raise NotAllowed: not the leading group. :raise InvalidInput: a year outside 2000–2100.
    """
    if actor.role_enum not in audit_pack.READERS or actor.fund_id is None:
        raise NotAllowed("年度审计资料由领导小组办公室调取", code="role_not_allowed")
    audit_pack.check_year(year)
    waiting = db.session.scalar(
        select(AuditPackRun).where(
            AuditPackRun.fund_id == actor.fund_id,
            AuditPackRun.year == year,
            AuditPackRun.state.in_(("queued", "running")),
        )
    )
    if waiting is not None:
        return waiting
    run = AuditPackRun(
        fund_id=actor.fund_id,
        year=year,
        requested_by_id=actor.id,
        requested_at=clock.utcnow(),
        state="queued",
        error="",
    )
    db.session.add(run)
    return finish(run)


def build(run_id: int) -> AuditPackRun | None:
    """Build a queued run (None when another runner took it first): the pack written into its own folder, its size
    and SHA-256 recorded, the year's older pack deleted; a failure is recorded with its reason and leaves no file."""
    claimed = affected(
        db.session.execute(
            update(AuditPackRun)
            .where(AuditPackRun.id == run_id, AuditPackRun.state == "queued")
            .values(state="running", started_at=clock.utcnow())
        )
    )
    db.session.commit()
    if not claimed:
        return None
    asked = db.session.get_one(AuditPackRun, run_id)
    fund_id, year = asked.fund_id, asked.year
    target = folder() / str(run_id)
    shutil.rmtree(target, ignore_errors=True)
    try:
        packed = audit_pack.build(fund_id, year, target)
        digest = hashlib.sha256()
        with packed.path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except Exception as exc:  # whatever stopped it is the run's reason; the runner goes on with the next
        db.session.rollback()
        shutil.rmtree(target, ignore_errors=True)
        run = db.session.get_one(AuditPackRun, run_id)
        run.state, run.finished_at = "failed", clock.utcnow()
        run.error = (str(getattr(exc, "message", "") or exc) or type(exc).__name__)[:500]
        return finish(run)
    run = db.session.get_one(AuditPackRun, run_id)
    run.state, run.finished_at = "done", clock.utcnow()
    run.applications, run.files = packed.applications, packed.files
    run.size, run.sha256 = packed.path.stat().st_size, digest.hexdigest()
    older = db.session.scalars(
        select(AuditPackRun).where(
            AuditPackRun.fund_id == fund_id,
            AuditPackRun.year == year,
            AuditPackRun.state == "done",
            AuditPackRun.id != run_id,
            AuditPackRun.removed_at.is_(None),
        )
    ).all()
    for previous in older:
        previous.removed_at = clock.utcnow()
    finish(run)
    for previous in older:  # after the commit: nothing points at them any more
        shutil.rmtree(folder() / str(previous.id), ignore_errors=True)
    return run


def in_background(app: Flask, run_id: int) -> threading.Thread:
    """Build the run in a thread of this process, so that the request that asked answers at once."""

    def work() -> None:
        with app.app_context():
            try:
                build(run_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"audit-pack-{run_id}", daemon=True)
    thread.start()
    return thread


def start(run: AuditPackRun) -> None:
    """A run just asked for is built now, outside the request that asked: in a thread of this process, or at once
    where ``AUDIT_PACK_RUNNER`` is ``inline`` (tests, a single-process server). A run already waiting or running is
    left to whoever has it."""
    if run.state != "queued":
        return
    if current_app.config.get("AUDIT_PACK_RUNNER") == "inline":
        build(run.id)
    else:
        in_background(current_app._get_current_object(), run.id)  # type: ignore[attr-defined]


def build_waiting() -> list[AuditPackRun]:
    """The command's work: a run left "running" by a process that died is queued again, then every queued run is
    built, oldest first. The runs built."""
    db.session.execute(
        update(AuditPackRun)
        .where(AuditPackRun.state == "running", AuditPackRun.started_at < clock.utcnow() - STALE_AFTER)
        .values(state="queued", started_at=None)
    )
    db.session.commit()
    built = []
    for run_id in db.session.scalars(
        select(AuditPackRun.id).where(AuditPackRun.state == "queued").order_by(AuditPackRun.id)
    ).all():
        run = build(run_id)
        if run is not None:
            built.append(run)
    return built


def run(run_id: int) -> AuditPackRun:
    """A run as it stands now (read again: another thread may have built it)."""
    return db.session.get_one(AuditPackRun, run_id, populate_existing=True)


def recent(fund_id: int) -> list[AuditPackRun]:
    return list(
        db.session.scalars(
            select(AuditPackRun).where(AuditPackRun.fund_id == fund_id).order_by(AuditPackRun.id.desc()).limit(SHOWN)
        )
    )


def file_of(actor: User, run_id: int) -> tuple[AuditPackRun, Path]:
    """A finished pack the group may download.

    :raise NotFound: not the group's (another fund's), no such run, not finished, or its file since replaced by a
    newer one.
    """
    run = db.session.get(AuditPackRun, run_id)
    if (
        actor.role_enum not in audit_pack.READERS
        or run is None
        or run.fund_id != actor.fund_id
        or run.state != "done"
        or run.removed_at is not None
    ):
        raise NotFound("没有这份审计资料")
    path = folder() / str(run.id) / f"审计资料-{run.year}.zip"
    if not path.exists():
        raise NotFound("没有这份审计资料")
    return run, path
