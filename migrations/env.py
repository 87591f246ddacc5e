"""Alembic environment for Flask-Migrate: the app's engine and metadata, batch mode for SQLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from loanfund.models.parties import not_name_search

config = context.config
if config.config_file_name and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def render_item(type_, obj, autogen_context):
    """Render LoanFund's column types as their plain SQL types, so migrations never import the app's code."""
    if type_ == "type":
        name = type(obj).__name__
        if name == "MoneyType":
            return "sa.BigInteger()"
        if name == "UTCDateTime":
            return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # SQLite's own procedure for changing a table others refer to: keys off, change, check, keys on
            _sqlite_foreign_keys(connection, on=False)
        conf_args.setdefault("include_name", not_name_search)  # SQLite's FTS5 name search is not the models' (0055)
        context.configure(connection=connection, target_metadata=db.metadata, render_item=render_item, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:10]}")
        if sqlite:
            if connection.in_transaction():  # the migrations' transaction, when alembic left it to the connection
                connection.commit()
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, *, on):
    """PRAGMA foreign_keys changes nothing inside a transaction: set it on the driver's connection, outside any."""
    driver = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    if driver.execute("PRAGMA foreign_keys").fetchone()[0] != int(on):
        raise RuntimeError("SQLite did not change PRAGMA foreign_keys: a transaction was still open")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
