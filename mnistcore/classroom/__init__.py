"""A class inside the app: rooms, the teacher's task, and the board of the class's runs, kept in one store that
every server process (SQLite, one machine) or every machine (PostgreSQL) shares."""
