"""The class database's two backends, behind one small interface: `transaction()` yields a cursor that runs SQL
written with `?` marks, and every failure to reach or use the database is raised as `StoreDown`.

SQLite from the standard library: a file in WAL mode, shared by every server process on one machine.
PostgreSQL through psycopg 3, shared by every machine. Each call opens its own connection, so a database that
went away and came back needs nothing from the caller but another call.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class StoreDown(Exception):
    """The database cannot be reached or answered with an error; nothing was changed."""


class StoreBusy(StoreDown):
    """The database is up, but a call waited past its bound (`Timeouts`) for a lock or an answer; nothing was changed."""


@dataclass(frozen=True)
class Timeouts:
    """How long one call may wait on the class database, so that one stalled connection cannot hold a class.

    A page's thread waits on each call: without these, a connection that held the store's lock and stalled made
    every join wait (13 s) and fail, and a database host that vanished was noticed by TCP after about 2 hours."""

    connect: float = 3.0  # s: to reach the database
    lock: float = 3.0  # s: waiting for a lock (the store's advisory lock, a row, SQLite's write lock)
    statement: float = 5.0  # s: one statement, locks included
    idle_in_transaction: float = 10.0  # s: a connection that holds a transaction open and sends nothing is ended
    keepalive_idle: int = 10  # s of silence before TCP asks whether the other end is still there (both ends)
    keepalive_interval: int = 5  # s between asks
    keepalive_count: int = 3  # unanswered asks before the connection counts as dead: about 25 s in all


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

    def __init__(self, path: Path, timeouts: Timeouts = Timeouts()):
        self.path, self.timeouts = Path(path), timeouts
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
        con = sqlite3.connect(self.path, timeout=self.timeouts.lock, isolation_level=None)  # SQLite's busy timeout
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
        except sqlite3.OperationalError as e:
            con.rollback()
            if "locked" in str(e) or "busy" in str(e):  # another connection held the write lock past the busy timeout
                raise StoreBusy(f"the class database was locked for over {self.timeouts.lock:g} s ({e})") from None
            raise StoreDown(f"the class database did not answer ({e})") from None
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

    def __init__(self, url: str, timeouts: Timeouts = Timeouts()):
        import psycopg  # only hosts that name a PostgreSQL database need the driver loaded
        self.psycopg, self.url, self.timeouts = psycopg, url, timeouts
        self.taken = psycopg.errors.UniqueViolation
        self.busy = (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled)  # lock_timeout, statement_timeout

    def settings(self) -> dict:
        """psycopg's connection settings: the server's bounds on this session (options) and this end's keepalives."""
        t = self.timeouts
        server = {"statement_timeout": t.statement, "lock_timeout": t.lock,
                  "idle_in_transaction_session_timeout": t.idle_in_transaction}
        options = " ".join(f"-c {name}={round(seconds * 1000)}" for name, seconds in server.items())  # milliseconds
        options += (f" -c tcp_keepalives_idle={t.keepalive_idle} -c tcp_keepalives_interval={t.keepalive_interval}"
                    f" -c tcp_keepalives_count={t.keepalive_count}")  # the server notices a vanished app server too
        return {"connect_timeout": max(1, round(t.connect)), "options": options, "keepalives": 1,
                "keepalives_idle": t.keepalive_idle, "keepalives_interval": t.keepalive_interval,
                "keepalives_count": t.keepalive_count}

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[Cursor]:
        """One transaction; `exclusive` holds an advisory lock, so counting then inserting cannot race."""
        try:
            con = self.psycopg.connect(self.url, **self.settings())
        except self.psycopg.Error as e:
            raise StoreDown(f"the class database cannot be reached ({type(e).__name__})") from None
        try:
            with con, con.cursor() as cur:  # commits on leaving, rolls back on an exception
                if exclusive:
                    cur.execute("SELECT pg_advisory_xact_lock(22)")
                yield Cursor(cur, "%s")
        except self.taken:
            raise
        except self.busy as e:
            raise StoreBusy(f"the class database waited past its bound ({type(e).__name__})") from None
        except self.psycopg.Error as e:
            raise StoreDown(f"the class database did not answer ({type(e).__name__})") from None
        finally:
            con.close()


def connect(url: str, timeouts: Timeouts = Timeouts()) -> "SQLite | Postgres":
    """The backend for `url`: `postgresql://...` for PostgreSQL, else a SQLite file path (`sqlite:///path` or a path)."""
    if url.startswith(("postgresql://", "postgres://")):
        return Postgres(url, timeouts)
    return SQLite(Path(url.removeprefix("sqlite://")), timeouts)
