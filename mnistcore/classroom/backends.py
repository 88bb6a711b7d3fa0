"""The class database's two backends, behind one small interface: `transaction()` yields a cursor that runs SQL
written with `?` marks, and every failure to reach or use the database is raised as `StoreDown`.

SQLite from the standard library: a file in WAL mode, shared by every server process on one machine.
PostgreSQL through psycopg 3, shared by every machine. Each call opens its own connection, so a database that
went away and came back needs nothing from the caller but another call.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StoreDown(Exception):
    """The database cannot be reached or answered with an error; nothing was changed."""


class Cursor:
    """Runs SQL written with `?` marks on either backend."""

    def __init__(self, raw, mark: str):
        self.raw, self.mark = raw, mark

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Execute `sql` with `params`; the rows it returns, if any."""
        self.raw.execute(sql.replace("?", self.mark), params)
        return self.raw.fetchall() if self.raw.description else []


class SQLite:
    """A SQLite file in WAL mode: readers never wait for the writer, and writers take turns."""

    dialect = "sqlite"
    taken = sqlite3.IntegrityError

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = self._connection()
            try:
                con.execute("PRAGMA journal_mode=WAL")  # persistent: set once, on the file
            finally:
                con.close()
        except (OSError, sqlite3.Error) as e:
            raise StoreDown(f"the class database file cannot be used ({e})") from None

    def _connection(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        con.execute("PRAGMA foreign_keys=ON")  # per connection: the cascades of a deleted room
        return con

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[Cursor]:
        """One transaction; `exclusive` takes the write lock at once, so counting then inserting cannot race."""
        try:
            con = self._connection()
        except sqlite3.Error as e:
            raise StoreDown(f"the class database file cannot be opened ({e})") from None
        try:
            con.execute("BEGIN IMMEDIATE" if exclusive else "BEGIN")
            yield Cursor(con.cursor(), "?")
            con.execute("COMMIT")
        except sqlite3.IntegrityError:
            con.rollback()
            raise
        except sqlite3.Error as e:
            con.rollback()
            raise StoreDown(f"the class database did not answer ({e})") from None
        except BaseException:
            con.rollback()
            raise
        finally:
            con.close()


class Postgres:
    """A PostgreSQL database, through psycopg 3; a connection per call, so a restart needs no reconnecting logic."""

    dialect = "postgresql"

    def __init__(self, url: str):
        import psycopg  # only hosts that name a PostgreSQL database need the driver loaded
        self.psycopg, self.url = psycopg, url
        self.taken = psycopg.errors.UniqueViolation

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[Cursor]:
        """One transaction; `exclusive` holds an advisory lock, so counting then inserting cannot race."""
        try:
            con = self.psycopg.connect(self.url, connect_timeout=3, options="-c statement_timeout=5000")
        except self.psycopg.Error as e:
            raise StoreDown(f"the class database cannot be reached ({type(e).__name__})") from None
        try:
            with con, con.cursor() as cur:  # commits on leaving, rolls back on an exception
                if exclusive:
                    cur.execute("SELECT pg_advisory_xact_lock(22)")
                yield Cursor(cur, "%s")
        except self.taken:
            raise
        except self.psycopg.Error as e:
            raise StoreDown(f"the class database did not answer ({type(e).__name__})") from None
        finally:
            con.close()


def connect(url: str) -> "SQLite | Postgres":
    """The backend for `url`: `postgresql://...` for PostgreSQL, else a SQLite file path (`sqlite:///path` or a path)."""
    if url.startswith(("postgresql://", "postgres://")):
        return Postgres(url)
    return SQLite(Path(url.removeprefix("sqlite://")))
