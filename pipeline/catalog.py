"""The episode catalog: ``catalog.db`` (SQLite) at the project root, one row per episode.

The schema is migrated in place, never recreated: each migration runs once, in a
transaction, and ``PRAGMA user_version`` records how far the database has come. Beside the
episodes it holds the publish journal and the review trail (法制审核: who approved or
rejected which build). After every build, review and publish the catalog is also exported to
``output/catalog.json`` and ``output/catalog.csv``, with each episode's review of its
current build and every channel's URL.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import CatalogError
from pipeline.fsutil import atomic_write_text, no_space_message
from pipeline.i18n import _

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE episodes (
        number       INTEGER PRIMARY KEY,
        title        TEXT NOT NULL,
        topic        TEXT NOT NULL,
        laws         TEXT NOT NULL,
        tags         TEXT NOT NULL,
        duration     REAL NOT NULL,
        script       TEXT NOT NULL,
        video        TEXT NOT NULL,
        subtitles    TEXT NOT NULL,
        cover        TEXT NOT NULL,
        manifest     TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('draft', 'final', 'published')),
        input_hash   TEXT NOT NULL,
        built_at     TEXT NOT NULL,
        voice_engine TEXT NOT NULL,
        voice        TEXT NOT NULL
    )
    """,
    "ALTER TABLE episodes ADD COLUMN draft_voice INTEGER NOT NULL DEFAULT 0",
    # The publish journal: one row per (episode, channel), written before and after every remote call.
    """
    CREATE TABLE publications (
        episode        INTEGER NOT NULL,
        channel        TEXT NOT NULL,
        state          TEXT NOT NULL,
        media_id       TEXT,
        upload_name    TEXT,
        thumb_media_id TEXT,
        thumb_name     TEXT,
        draft_media_id TEXT,
        publish_id     TEXT,
        article_id     TEXT,
        url            TEXT,
        mass_media_id  TEXT,
        msg_id         TEXT,
        reason         TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (episode, channel)
    )
    """,
    """
    CREATE TABLE publication_events (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        episode INTEGER NOT NULL,
        channel TEXT NOT NULL,
        state   TEXT NOT NULL,
        detail  TEXT,
        at      TEXT NOT NULL
    )
    """,
    # The review trail (法制审核): one row per verdict on one build, identified by its input hash.
    """
    CREATE TABLE reviews (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        episode    INTEGER NOT NULL,
        input_hash TEXT NOT NULL,
        verdict    TEXT NOT NULL CHECK (verdict IN ('approved', 'rejected')),
        reviewer   TEXT NOT NULL,
        note       TEXT NOT NULL DEFAULT '',
        at         TEXT NOT NULL
    )
    """,
    # The AI-content labels each build carries (GB 45438-2025): the AIGC metadata JSON and the visible notice.
    "ALTER TABLE episodes ADD COLUMN aigc TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE episodes ADD COLUMN ai_notice TEXT NOT NULL DEFAULT ''",
)

STATUSES = ("draft", "final", "published")
# Where an episode goes out, as the publish journal names them: Channels, the Official Account's
# article, and the Official Account's broadcast (群发) of the video, a separate act.
PUBLISH_CHANNELS = ("channels", "mp", "broadcast")
VERDICTS = ("approved", "rejected")


@dataclass(frozen=True)
class CatalogRow:
    number: int
    title: str
    topic: str
    laws: tuple[str, ...]
    tags: tuple[str, ...]
    duration: float
    script: str
    video: str
    subtitles: str
    cover: str
    manifest: str
    status: str
    input_hash: str
    built_at: str
    voice_engine: str
    voice: str
    draft_voice: bool = False
    aigc: str = ""  # the AIGC metadata written into the video, as JSON; empty: not labelled
    ai_notice: str = ""  # the visible notice in its opening picture; empty: none

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["laws"], data["tags"] = list(self.laws), list(self.tags)
        return data


COLUMNS = tuple(f.name for f in fields(CatalogRow))


BUSY_TIMEOUT_SECONDS = 30.0  # how long a writer waits for another build's transaction to end


def exports_of(path: Path) -> Path:
    """Where the catalog at ``path`` is exported as JSON: ``output/catalog.json`` beside it."""
    return path.parent / "output" / "catalog.json"


def _while_busy(step: Callable[[], object]) -> None:
    """Run ``step``, again while SQLite answers "database is locked", for up to the busy timeout.

    Two builds opening a new catalog at once both switch it to WAL; SQLite refuses the second
    switch with SQLITE_BUSY at once, without calling its busy handler (that lock escalation
    could deadlock, https://www.sqlite.org/c3ref/busy_handler.html), so the wait is done here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    delay = 0.01
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


class Catalog:
    """``catalog.db``. Opening it refuses to start a fresh, empty catalog where exports say one existed."""

    def __init__(self, path: Path, *, fresh: bool = False) -> None:
        self.path = path
        if not fresh:
            _refuse_lost_catalog(path)
        try:
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            _while_busy(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
            # Every commit reaches the disk before pufa goes on (WAL's default syncs only at checkpoints).
            self._db.execute("PRAGMA synchronous=FULL")
            _while_busy(self._migrate)
        except sqlite3.Error as exc:
            if _is_damaged(exc):
                raise CatalogError(
                    _(
                        "{path}: not a database (damaged?); not touching it. Restore it from a backup, or run: "
                        "pufa catalog import --replace-damaged {as_posix}"
                    ).format(path=path, as_posix=exports_of(path).relative_to(path.parent).as_posix())
                ) from None
            raise _catalog_error(path, _("cannot open the catalog"), exc) from None

    def check_writable(self) -> None:
        """Fail now, before any rendering, if the catalog cannot be written (read-only, locked, full).

        A write is committed (the schema version, rewritten unchanged: one page): a transaction
        rolled back writes nothing, so it would find a lock but not a full disk.
        """
        try:
            with self._transaction() as db:
                db.execute(f"PRAGMA user_version={int(db.execute('PRAGMA user_version').fetchone()[0])}")
        except sqlite3.Error as exc:
            raise _catalog_error(self.path, _("cannot write the catalog, so nothing was built"), exc) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise CatalogError(
                _("{path}: made by a newer pufa (schema {version}); upgrade pufa").format(
                    path=self.path, version=version
                )
            )
        for number, statement in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                # Another process may have migrated while this one waited for the write lock.
                if db.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue
                db.execute(statement)
                db.execute(f"PRAGMA user_version={number}")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def record(self, row: CatalogRow) -> CatalogRow:
        """Insert or replace an episode's row.

        A published episode stays published when rebuilt; otherwise a build whose input hash
        carries an approval (an unchanged rebuild) is ``final``, whatever ``row.status`` says.
        """
        try:
            with self._transaction() as db:
                existing = db.execute("SELECT status FROM episodes WHERE number = ?", (row.number,)).fetchone()
                if existing and existing[0] == "published":
                    row = _replace_status(row, "published")
                elif _verdict(db, row.number, row.input_hash) == "approved":
                    row = _replace_status(row, "final")
                values = asdict(row)
                values["laws"] = json.dumps(list(row.laws), ensure_ascii=False)
                values["tags"] = json.dumps(list(row.tags), ensure_ascii=False)
                placeholders = ", ".join(f":{c}" for c in COLUMNS)
                db.execute(f"INSERT OR REPLACE INTO episodes ({', '.join(COLUMNS)}) VALUES ({placeholders})", values)
        except sqlite3.Error as exc:
            raise _catalog_error(
                self.path, _("cannot record episode {number}").format(number=row.number), exc
            ) from None
        return row

    def restore(self, rows: list[CatalogRow]) -> int:
        """Insert exported ``rows`` into an empty catalog (``pufa catalog import``); returns how many."""
        try:
            with self._transaction() as db:
                if db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]:
                    raise CatalogError(
                        _(
                            "{path}: already holds episodes; import only restores a lost catalog, move "
                            "catalog.db aside first if you mean to replace it"
                        ).format(path=self.path)
                    )
                for row in rows:
                    values = asdict(row)
                    values["laws"] = json.dumps(list(row.laws), ensure_ascii=False)
                    values["tags"] = json.dumps(list(row.tags), ensure_ascii=False)
                    placeholders = ", ".join(f":{c}" for c in COLUMNS)
                    db.execute(f"INSERT INTO episodes ({', '.join(COLUMNS)}) VALUES ({placeholders})", values)
        except sqlite3.Error as exc:
            raise _catalog_error(self.path, _("cannot import"), exc) from None
        return len(rows)

    def rows(self) -> list[CatalogRow]:
        try:
            cursor = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM episodes ORDER BY number")
            return [_row(values, self.path) for values in cursor.fetchall()]
        except sqlite3.Error as exc:
            raise _catalog_error(self.path, _("cannot read the catalog"), exc) from None

    def get(self, number: int) -> CatalogRow | None:
        cursor = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM episodes WHERE number = ?", (number,))
        values = cursor.fetchone()
        return _row(values, self.path) if values else None

    # --- the review trail ------------------------------------------------------------------

    def add_review(self, episode: int, input_hash: str, verdict: str, reviewer: str, note: str) -> Review:
        """Record a verdict on the build ``input_hash`` of ``episode``; the episode's status follows it.

        An approval makes the episode ``final``, a rejection ``draft``; a published episode stays
        published (it is out already; the trail still records the verdict).
        """
        if verdict not in VERDICTS:
            raise CatalogError(
                _("a review verdict is one of {items}, not {verdict!r}").format(
                    items=", ".join(VERDICTS), verdict=verdict
                )
            )
        at = datetime.now(UTC).isoformat(timespec="seconds")
        status = "final" if verdict == "approved" else "draft"
        try:
            with self._transaction() as db:
                cursor = db.execute(
                    "INSERT INTO reviews (episode, input_hash, verdict, reviewer, note, at) VALUES (?, ?, ?, ?, ?, ?)",
                    (episode, input_hash, verdict, reviewer, note, at),
                )
                db.execute(
                    "UPDATE episodes SET status = ? WHERE number = ? AND input_hash = ? AND status != 'published'",
                    (status, episode, input_hash),
                )
                review_id = int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise CatalogError(
                _("{path}: cannot record the review of episode {episode}: {exc}").format(
                    path=self.path, episode=episode, exc=exc
                )
            ) from None
        return Review(review_id, episode, input_hash, verdict, reviewer, note, at)

    def reviews(self, episode: int | None = None) -> list[Review]:
        """Every review of ``episode`` (default: of every episode), oldest first."""
        query = f"SELECT {', '.join(REVIEW_COLUMNS)} FROM reviews"
        arguments: tuple[int, ...] = ()
        if episode is not None:
            query, arguments = query + " WHERE episode = ?", (episode,)
        try:
            rows = self._db.execute(query + " ORDER BY id", arguments).fetchall()
        except sqlite3.Error as exc:
            raise CatalogError(
                _("{path}: cannot read the review trail: {exc}").format(path=self.path, exc=exc)
            ) from None
        for values in rows:
            _check_texts(self.path, "reviews", dict(zip(REVIEW_COLUMNS, values, strict=True)), REVIEW_COLUMNS[2:])
        return [Review(*values) for values in rows]

    def entries(self) -> list[Entry]:
        """Every episode with the latest review of its current build and each channel's publication."""
        latest: dict[tuple[int, str], Review] = {}
        for review in self.reviews():
            latest[(review.episode, review.input_hash)] = review
        publications: dict[int, dict[str, Publication]] = {}
        for publication in Journal(self).all():
            publications.setdefault(publication.episode, {})[publication.channel] = publication
        return [
            Entry(row, latest.get((row.number, row.input_hash)), publications.get(row.number, {}))
            for row in self.rows()
        ]


JOURNAL_FIELDS = (
    "media_id",
    "upload_name",
    "thumb_media_id",
    "thumb_name",
    "draft_media_id",
    "publish_id",
    "article_id",
    "url",
    "mass_media_id",
    "msg_id",
    "reason",
)


@dataclass(frozen=True)
class Publication:
    """Where one episode stands on one channel, as the journal last recorded it."""

    episode: int
    channel: str
    state: str
    media_id: str | None = None
    upload_name: str | None = None
    thumb_media_id: str | None = None
    thumb_name: str | None = None
    draft_media_id: str | None = None
    publish_id: str | None = None
    article_id: str | None = None
    url: str | None = None
    mass_media_id: str | None = None
    msg_id: str | None = None
    reason: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Review:
    """One verdict of the review trail: ``reviewer`` approved or rejected the build ``input_hash`` at ``at``."""

    id: int
    episode: int
    input_hash: str
    verdict: str  # approved or rejected
    reviewer: str
    note: str
    at: str  # ISO 8601, UTC, to the second


REVIEW_COLUMNS = tuple(f.name for f in fields(Review))


@dataclass(frozen=True)
class Entry:
    """An episode as ``pufa catalog`` and the exports show it: its row, its current build's review, its posts."""

    row: CatalogRow
    review: Review | None
    publications: dict[str, Publication]

    def url(self, channel: str) -> str:
        publication = self.publications.get(channel)
        return (publication.url or "") if publication else ""

    def as_json(self) -> dict[str, object]:
        data = self.row.as_json()
        review = self.review
        data["review"] = review.verdict if review else ""
        data["reviewer"] = review.reviewer if review else ""
        data["reviewed_at"] = review.at if review else ""
        data["review_note"] = review.note if review else ""
        for channel in PUBLISH_CHANNELS:
            publication = self.publications.get(channel)
            data[f"{channel}_state"] = publication.state if publication else ""
            data[f"{channel}_url"] = self.url(channel)
        return data


EXTRA_COLUMNS = (
    "review",
    "reviewer",
    "reviewed_at",
    "review_note",
    *(f"{channel}_{what}" for channel in PUBLISH_CHANNELS for what in ("state", "url")),
)


class Journal:
    """The publish journal inside catalog.db. Every change is its own short transaction."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get(self, episode: int, channel: str) -> Publication | None:
        db = self.catalog._db
        db.row_factory = sqlite3.Row
        try:
            row = db.execute(
                "SELECT * FROM publications WHERE episode = ? AND channel = ?", (episode, channel)
            ).fetchone()
        finally:
            db.row_factory = None
        return Publication(**dict(row)) if row else None

    def all(self) -> list[Publication]:
        db = self.catalog._db
        db.row_factory = sqlite3.Row
        try:
            rows = db.execute("SELECT * FROM publications ORDER BY episode, channel").fetchall()
        finally:
            db.row_factory = None
        for row in rows:
            _check_texts(self.catalog.path, "publications", dict(row), PUBLICATION_TEXTS)
        return [Publication(**dict(row)) for row in rows]

    def record(self, episode: int, channel: str, state: str, detail: str = "", **fields: str | None) -> Publication:
        """Set the state (and any of JOURNAL_FIELDS) of (episode, channel), and log the event."""
        unknown = set(fields) - set(JOURNAL_FIELDS)
        if unknown:
            raise CatalogError(_("unknown journal fields: {items}").format(items=", ".join(sorted(unknown))))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self.catalog._transaction() as db:
                db.execute(
                    "INSERT INTO publications (episode, channel, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (episode, channel) DO UPDATE "
                    "SET state = excluded.state, updated_at = excluded.updated_at",
                    (episode, channel, state, now, now),
                )
                for name, value in fields.items():
                    db.execute(
                        f"UPDATE publications SET {name} = ? WHERE episode = ? AND channel = ?",
                        (value, episode, channel),
                    )
                db.execute(
                    "INSERT INTO publication_events (episode, channel, state, detail, at) VALUES (?, ?, ?, ?, ?)",
                    (episode, channel, state, detail, now),
                )
                if state == "published":
                    db.execute("UPDATE episodes SET status = 'published' WHERE number = ?", (episode,))
        except sqlite3.Error as exc:
            raise _catalog_error(self.catalog.path, _("cannot write the publish journal"), exc) from None
        result = self.get(episode, channel)
        assert result is not None
        return result

    def events(self, episode: int, channel: str) -> list[tuple[str, str]]:
        rows = self.catalog._db.execute(
            "SELECT state, detail FROM publication_events WHERE episode = ? AND channel = ? ORDER BY id",
            (episode, channel),
        ).fetchall()
        return [(str(state), str(detail or "")) for state, detail in rows]


def _verdict(db: sqlite3.Connection, episode: int, input_hash: str) -> str | None:
    """The latest verdict on one build of an episode, if any."""
    found = db.execute(
        "SELECT verdict FROM reviews WHERE episode = ? AND input_hash = ? ORDER BY id DESC LIMIT 1",
        (episode, input_hash),
    ).fetchone()
    return str(found[0]) if found else None


def _replace_status(row: CatalogRow, status: str) -> CatalogRow:
    from dataclasses import replace

    return replace(row, status=status)


def _row(values: tuple[object, ...], path: Path) -> CatalogRow:
    data = dict(zip(COLUMNS, values, strict=True))
    for column in ("laws", "tags"):
        try:
            items = json.loads(str(data[column]))
        except (ValueError, RecursionError):  # RecursionError: lists nested thousands deep
            items = None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise CatalogError(
                _(
                    "{path}: episode {number}: '{column}' is not a JSON list of texts ({data!r}); "
                    'correct it (e.g. ["a", "b"]) or run pufa build --force'
                ).format(path=path, number=data["number"], column=column, data=str(data[column])[:40])
            )
        data[column] = tuple(items)
    problem = next(_row_problems(data), None)
    if problem is not None:
        column, expected = problem
        raise CatalogError(
            _(
                "{path}: episode {number}: '{column}' is {data!r}, not {expected}; correct it or run pufa build --force"
            ).format(path=path, number=data["number"], column=column, data=str(data[column])[:40], expected=expected)
        )
    data["draft_voice"] = bool(data["draft_voice"])
    return CatalogRow(**data)  # type: ignore[arg-type]


TEXT_COLUMNS = tuple(f.name for f in fields(CatalogRow) if f.type == "str")


def _row_problems(data: dict[str, object]) -> Iterator[tuple[str, str]]:
    """Each column of a row read from catalog.db whose value the listing and exports cannot use, with what it must be.

    SQLite keeps a hand-edited value of the wrong type ('abc' in the REAL duration, a BLOB in a
    TEXT column), and converts 1e999 to infinity; shown or exported, each would be a traceback.
    """
    duration = data["duration"]
    if not isinstance(duration, int | float) or not 0 <= duration < math.inf:
        yield "duration", _("a number of seconds (0 or more)")
    if data["draft_voice"] not in (0, 1):
        yield "draft_voice", _("0 or 1")
    if data["status"] not in STATUSES:
        yield "status", _("one of {items}").format(items=", ".join(STATUSES))
    for column in TEXT_COLUMNS:
        if not isinstance(data[column], str):
            yield column, _("text")


PUBLICATION_TEXTS = ("channel", "state", "created_at", "updated_at")


def _check_texts(path: Path, table: str, data: dict[str, object], columns: tuple[str, ...]) -> None:
    """A hand-edited value in ``table`` that is not text (a number, a BLOB) as one line: shown, it would be a traceback.

    The journal's optional fields may also be NULL.
    """
    for column, value in data.items():
        if isinstance(value, str) or (value is None and column in JOURNAL_FIELDS):
            continue
        if column in columns or column in JOURNAL_FIELDS:
            raise CatalogError(
                _("{path}: table {table}, episode {episode}: '{column}' is {data!r}, not text; correct it").format(
                    path=path, table=table, episode=data["episode"], column=column, data=str(value)[:40]
                )
            )


def _refuse_lost_catalog(path: Path) -> None:
    """A missing or empty catalog.db beside exports that list episodes is a lost catalog, not a new project."""
    try:
        if path.is_file() and path.stat().st_size > 0:
            return
        exported = json.loads(exports_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return
    if isinstance(exported, list) and exported:
        state = _("empty (0 bytes)") if path.is_file() else _("missing")
        raise CatalogError(
            _(
                "{path}: {state}, but {as_posix} lists {count} episodes; not starting a new "
                "catalog. Restore it from a backup, or run: pufa catalog import {as_posix}"
            ).format(
                path=path,
                state=state,
                as_posix=exports_of(path).relative_to(path.parent).as_posix(),
                count=len(exported),
            )
        )


def _is_damaged(exc: sqlite3.Error) -> bool:
    """Whether SQLite found the file is not a database, or a damaged one (not locked, read-only or full)."""
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT")


def set_aside_damaged(path: Path) -> Path | None:
    """Rename a ``catalog.db`` that SQLite cannot read as a database (and its -wal and -shm) to
    ``catalog.db.damaged-<UTC time>``, so ``pufa catalog import`` can start a new one; nothing is deleted.

    Returns the new name, or None when ``path`` is missing or a readable database (left as it is).
    """
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        if not _is_damaged(exc):
            raise _catalog_error(path, _("cannot open the catalog"), exc) from None
    else:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        for suffix in ("-wal", "-shm", ""):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                companion.rename(aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise CatalogError(
            _("{path}: cannot move it aside to {aside} ({strerror})").format(
                path=path, aside=aside.name, strerror=exc.strerror
            )
        ) from None
    return aside


def _catalog_error(path: Path, action: str, exc: sqlite3.Error) -> CatalogError:
    """An SQLite error as one line; a full disk says so ("database or disk is full", or I/O errors with no room)."""
    text = str(exc)
    if "full" in text or ("disk I/O" in text and shutil.disk_usage(path.parent).free < 1 << 20):
        return CatalogError(no_space_message(path))
    hint = ""
    if "locked" in text:
        hint = _("; another program holds it (a database browser?): close it and run again")
    elif "readonly" in text:
        hint = _("; make catalog.db and its folder writable")
    return CatalogError(f"{path}: {action}: {text}{hint}")


def from_json(text: str, source: Path) -> list[CatalogRow]:
    """Rows from an export (``output/catalog.json``), each checked; a bad one is named."""
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise CatalogError(_("{source}: not JSON ({exc})").format(source=source, exc=exc)) from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        raise CatalogError(
            _("{source}: not a catalog export (a JSON list of episodes)").format(source=source)
        ) from None
    if not isinstance(items, list):
        raise CatalogError(_("{source}: not a catalog export (a JSON list of episodes)").format(source=source))
    rows = []
    for index, item in enumerate(items, start=1):
        try:
            data = {c: item[c] for c in COLUMNS if c in item}
            data["laws"], data["tags"] = tuple(item["laws"]), tuple(item["tags"])
            row = CatalogRow(**data)
        except (KeyError, TypeError) as exc:
            raise CatalogError(
                _("{source}: entry {index} is not an episode row ({exc})").format(source=source, index=index, exc=exc)
            ) from None
        if row.status not in STATUSES:
            raise CatalogError(
                _("{source}: entry {index}: unknown status {status!r}").format(
                    source=source, index=index, status=row.status
                )
            )
        rows.append(row)
    return rows


def to_json(entries: list[Entry]) -> str:
    return json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2) + "\n"


def to_csv(entries: list[Entry]) -> str:
    """CSV for spreadsheets: lists joined with '；' so a cell reads as Chinese text; no cell runs as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = (*COLUMNS, *EXTRA_COLUMNS)
    writer.writerow(header)
    for entry in entries:
        data = entry.as_json()
        cells = ["；".join(map(str, v)) if isinstance(v, list) else v for v in (data[c] for c in header)]
        writer.writerow([spreadsheet_safe(c) if isinstance(c, str) else c for c in cells])
    return buffer.getvalue()


def spreadsheet_safe(cell: str) -> str:
    """A text cell a spreadsheet will not run: a leading = + - @ tab or CR gets a ' in front (OWASP CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def export(catalog: Catalog, output_dir: Path) -> None:
    """Rewrite output/catalog.json and output/catalog.csv (UTF-8 with BOM, so Excel and WPS read it).

    Called after every build, review and publish, so the files never lag behind catalog.db.
    """
    entries = catalog.entries()
    output_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output_dir / "catalog.json", to_json(entries))
    atomic_write_text(output_dir / "catalog.csv", to_csv(entries), encoding="utf-8-sig")
