"""The store's tables, as numbered migrations: a store opened by newer code is brought up to date in place.

Each migration is a list of statements written once for both backends; `{id}`, `{blob}` and `{real}` are
the only words that differ (SQLite's and PostgreSQL's names for an auto-numbered key, bytes and a float).
Times are seconds since the epoch. Deleting a room deletes its members, runs and drawings (ON DELETE CASCADE).
"""

MIGRATIONS: list[list[str]] = [
    [  # 1: rooms, the students in them, their posted runs
        """CREATE TABLE rooms (
            code TEXT PRIMARY KEY,
            teacher_hash TEXT NOT NULL,         -- sha256 of the teacher's secret; the secret itself is never kept
            created {real} NOT NULL,
            expires {real} NOT NULL,
            task TEXT,                          -- JSON: the instruction and the settings, or NULL
            version INTEGER NOT NULL DEFAULT 0  -- bumped by every change a board shows
        )""",
        """CREATE TABLE members (
            id {id},
            room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
            name TEXT NOT NULL,
            seat_hash TEXT NOT NULL,            -- sha256 of the student's seat secret (their session holds it)
            hidden INTEGER NOT NULL DEFAULT 0,
            joined {real} NOT NULL,
            UNIQUE (room, name)
        )""",
        """CREATE TABLE runs (
            id {id},
            room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
            member INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            uid TEXT NOT NULL,                  -- the run's own id: a run is posted once
            posted {real} NOT NULL,
            status TEXT NOT NULL,               -- done, overshot, stopped or diverged
            settings TEXT NOT NULL,             -- JSON: model, optimizer, lr, batch, epochs, schedule
            accuracy {real},                    -- NULL for a diverged run
            seconds {real} NOT NULL,
            dataset TEXT NOT NULL,              -- the data set's key: the mistakes index into it
            templates {blob} NOT NULL,          -- (10, 784) float16
            wrong {blob} NOT NULL,              -- int32 indices of the validation images it got wrong
            said {blob} NOT NULL,               -- uint8: what it predicted for each of them
            UNIQUE (room, uid)
        )""",
        "CREATE INDEX runs_by_room ON runs (room, id)",
    ],
    [  # 2: the self-check's progress of each student
        "ALTER TABLE members ADD COLUMN answered INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE members ADD COLUMN questions INTEGER NOT NULL DEFAULT 0",
    ],
    [  # 3: when each run ended on its server (a row's wait for the board is measured from it)
        "ALTER TABLE runs ADD COLUMN ended {real}",
    ],
    [  # 4: a seat belongs to its browser (any server finds it again), and a code to take it on another device
        "ALTER TABLE members ADD COLUMN browser TEXT",  # the browser's anonymous id (ui/state/browsers.py), or NULL
        "ALTER TABLE members ADD COLUMN rejoin_hash TEXT",  # sha256 of the student's rejoin code
        "CREATE INDEX members_by_browser ON members (room, browser)",
        "ALTER TABLE rooms ADD COLUMN teacher_browser TEXT",  # the browser that opened the room: its teacher's again
    ],
    [  # 5: the class's own digits: what the teacher asks for, and each drawing, kept by seat, never by name
        "ALTER TABLE rooms ADD COLUMN collect INTEGER",  # drawings of each digit asked of every student, or NULL
        """CREATE TABLE drawings (
            id {id},
            room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
            member INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
            image {blob} NOT NULL,              -- (28, 28) uint8: the digit as like_mnist prepared it, 784 bytes
            drawn {real} NOT NULL
        )""",
        "CREATE INDEX drawings_by_room ON drawings (room, id)",
        "CREATE INDEX drawings_by_member ON drawings (member)",  # a removed student's drawings go without a full scan
    ],
]
VERSION = len(MIGRATIONS)

WORDS = {
    "sqlite": {"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "blob": "BLOB", "real": "REAL"},
    "postgresql": {"id": "BIGSERIAL PRIMARY KEY", "blob": "BYTEA", "real": "DOUBLE PRECISION"},
}


def statements(dialect: str, start: int, stop: int = VERSION) -> list[tuple[int, str]]:
    """(version reached, SQL) for migrations `start`+1 .. `stop`, in `dialect`'s words."""
    return [(v + 1, sql.format(**WORDS[dialect])) for v in range(start, stop) for sql in MIGRATIONS[v]]
