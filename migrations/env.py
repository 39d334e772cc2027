"""Alembic environment for Flask-Migrate: batch mode (SQLite ALTERs) and type comparison on."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config

# Keep loggers that already exist (the app's, the test runner's) working after this runs.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

# Always on, whatever the Migrate object was given: SQLite needs batch mode for ALTER TABLE, and
# column type changes must show up in autogenerate.
def _include_object(*args):
    from models.base import include_object

    return include_object(*args)


MIGRATION_OPTIONS = {"render_as_batch": True, "compare_type": True, "include_object": _include_object}


def render_item(type_, obj, autogen_context):
    """Write app-defined column types (e.g. models.base.UTCDateTime) as their plain SQL type.

    A revision then needs no import of application code, which may change after it was written.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Emit the migration SQL to the script output without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        render_item=render_item,
        **MIGRATION_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations over a connection from the app's engine."""

    def process_revision_directives(context, revision, directives):
        # Do not write an empty revision when the models did not change.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    conf_args.update(MIGRATION_OPTIONS)

    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
