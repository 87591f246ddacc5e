"""Backups a restore can be trusted from: SQLite's online backup API (a consistent copy while the app runs) or
PostgreSQL's ``pg_dump`` (custom format), each with a manifest of its SHA-256 and the audit chain's head at the time;
a restore goes only into an empty database and is checked at once (the audit chain and the special account).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from loanfund import clock
from loanfund.extensions import db
from loanfund.services.record import audit


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Made:
    path: Path
    manifest: Path
    sha256: str
    audit_records: int
    audit_head: str


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian 的 postgresql-client）")
    return found


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (no driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def make(folder: Path) -> Made:
    """Write a backup of the configured database into ``folder``, with ``<name>.manifest.json`` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    length, head = audit.head()
    url = str(db.engine.url.render_as_string(hide_password=False))
    stamp = f"{clock.local(clock.utcnow()):%Y%m%d-%H%M%S}"
    db.session.commit()  # nothing of ours open while the copy is taken
    if db.engine.dialect.name == "sqlite":
        source_path = make_url(url).database
        if not source_path or source_path == ":memory:":
            raise BackupError("内存数据库无法备份")
        target = folder / f"loanfund-{stamp}.sqlite3"
        with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    else:
        target = folder / f"loanfund-{stamp}.dump"
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", _libpq(url)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()}")
    sha = _digest(target)
    manifest = target.with_suffix(target.suffix + ".manifest.json")
    manifest.write_text(
        json.dumps(
            {
                "file": target.name,
                "sha256": sha,
                "database": db.engine.dialect.name,
                "made_at": clock.utcnow().isoformat(),
                "audit_records": length,
                "audit_head": head,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return Made(target, manifest, sha, length, head)


def restore(path: Path) -> audit.Verdict:
    """Restore ``path`` (checked against its manifest when there is one) into the configured database, which must be
    empty; then verify the audit chain (the caller reconciles the books).

    :raise BackupError: the file does not match its manifest, the database is not empty, or the tool failed.
    """
    manifest = path.with_suffix(path.suffix + ".manifest.json")
    expected = json.loads(manifest.read_text()) if manifest.exists() else None
    if expected is not None and _digest(path) != expected["sha256"]:
        raise BackupError("备份文件与其清单中的 SHA-256 不符：文件已损坏或被改动")
    db.session.remove()  # nothing of ours open on the target (on SQLite a reading transaction holds its lock)
    if inspect(db.engine).get_table_names():
        raise BackupError("目标数据库不是空的：请恢复到一个新建的空数据库")
    url = str(db.engine.url.render_as_string(hide_password=False))
    if db.engine.dialect.name == "sqlite":
        target_path = make_url(url).database
        if not target_path or target_path == ":memory:":
            raise BackupError("不能恢复到内存数据库")
        db.engine.dispose()
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(target_path)) as target:
            source.backup(target)
    else:
        db.engine.dispose()
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={_libpq(url)}",
                str(path),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore 失败：{done.stderr.strip()}")
    verdict = audit.verify()
    if (
        expected is not None
        and verdict.ok
        and (verdict.records, verdict.head)
        != (
            expected["audit_records"],
            expected["audit_head"],
        )
    ):
        return audit.Verdict(verdict.records, verdict.head, verdict.records, "恢复后的审计记录链头与备份清单不符")
    return verdict
