from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import MIGRATIONS, Catalog, CatalogRow, Journal, export
from pipeline.cli import main
from pipeline.project import init_project

ROW = CatalogRow(
    number=1260,
    title="高空抛物，后果很严重",
    topic="民法典",
    laws=("《中华人民共和国民法典》第一千二百五十四条",),
    tags=("高空抛物", "侵权责任"),
    duration=82.2,
    script="scripts/1260.md",
    video="output/episodes/1260/1260.mp4",
    subtitles="output/episodes/1260/1260.srt",
    cover="output/episodes/1260/cover.jpg",
    manifest="output/episodes/1260/manifest.json",
    status="final",
    input_hash="abc",
    built_at="2026-11-28T10:00:00+00:00",
    voice_engine="espeak",
    voice="cmn",
)


def test_rows_round_trip(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.db") as catalog:
        catalog.record(ROW)
        catalog.record(replace(ROW, number=1261, status="draft"))
        assert catalog.rows() == [ROW, replace(ROW, number=1261, status="draft")]
        assert catalog.schema_version == len(MIGRATIONS)


def test_rebuilding_replaces_the_row_but_keeps_published(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.db") as catalog:
        catalog.record(replace(ROW, status="published"))
        rebuilt = catalog.record(replace(ROW, title="新标题", status="final"))
        assert rebuilt.status == "published"
        assert catalog.rows() == [replace(ROW, title="新标题", status="published")]


def test_existing_database_is_migrated_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    with Catalog(path) as catalog:
        catalog.record(ROW)
    with Catalog(path) as catalog:
        assert catalog.rows() == [ROW]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_exports_json_and_excel_friendly_csv(tmp_path: Path) -> None:
    with Catalog(tmp_path / "catalog.db") as catalog:
        catalog.record(ROW)
        export(catalog, tmp_path)
    assert json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))[0]["laws"] == list(ROW.laws)
    raw = (tmp_path / "catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel and WPS need the BOM to read UTF-8"
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["title"] == "高空抛物，后果很严重"
    assert rows[0]["tags"] == "高空抛物；侵权责任"


def _open_when_told(path: str, start: object, answers: object) -> None:
    from pipeline.errors import PufaError

    start.wait()  # type: ignore[attr-defined]
    try:
        Catalog(Path(path)).close()
        answers.put("ok")  # type: ignore[attr-defined]
    except PufaError as exc:
        answers.put(str(exc))  # type: ignore[attr-defined]


def test_builds_opening_a_new_catalog_at_once_all_open_it(tmp_path: Path) -> None:
    """Two builds started together both create catalog.db: the second must wait, not fail.

    SQLite refuses the second switch to WAL with "database is locked" without waiting
    (seen in CI as test_two_builds_at_once_on_one_project failing once in ~50 runs).
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    for round_ in range(60):
        start = context.Event()
        path = str(tmp_path / f"catalog-{round_}.db")
        processes = [context.Process(target=_open_when_told, args=(path, start, answers)) for _ in range(3)]
        for process in processes:
            process.start()
        start.set()
        for process in processes:
            process.join(timeout=60)
        got = [answers.get(timeout=10) for _ in processes]
        assert got == ["ok"] * 3, got


BAD_VALUES = [
    ("duration", "'abc'", "'duration' is 'abc', not a number of seconds (0 or more)"),
    ("duration", "1e999", "'duration' is 'inf', not a number of seconds (0 or more)"),
    ("duration", "-1e999", "'duration' is '-inf', not a number of seconds (0 or more)"),
    ("duration", "-5", "'duration' is '-5.0', not a number of seconds (0 or more)"),
    ("duration", "x'00'", "'duration' is \"b'\\\\x00'\", not a number of seconds (0 or more)"),
    ("draft_voice", "'yes'", "'draft_voice' is 'yes', not 0 or 1"),
    ("draft_voice", "2", "'draft_voice' is '2', not 0 or 1"),
    ("status", "'gone'", "'status' is 'gone', not one of draft, final, published"),
    ("title", "x'ff'", "'title' is \"b'\\\\xff'\", not text"),
    ("built_at", "x'00'", "'built_at' is \"b'\\\\x00'\", not text"),
]


@pytest.mark.parametrize(("column", "value", "problem"), BAD_VALUES)
@pytest.mark.parametrize("output_format", ["table", "json", "csv"])
def test_a_hand_edited_bad_value_is_one_line(
    tmp_path: Path, column: str, value: str, problem: str, output_format: str
) -> None:
    """SQLite keeps a value of the wrong type in any column; `pufa catalog` names the episode and column."""
    root = tmp_path / "series"
    init_project(root)
    with Catalog(root / "catalog.db") as catalog:
        catalog.record(ROW)
    with sqlite3.connect(root / "catalog.db") as db:
        db.execute("PRAGMA ignore_check_constraints = 1")
        db.execute(f"UPDATE episodes SET {column} = {value}")
    result = CliRunner().invoke(main, ["--project", str(root), "catalog", "--format", output_format])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"pufa: error: {root / 'catalog.db'}: episode 1260: {problem}; correct it or run pufa build --force\n"
    )


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE reviews SET at = x'00'", "table reviews, episode 1260: 'at' is \"b'\\\\x00'\", not text"),
        ("UPDATE publications SET url = x'ff'", "table publications, episode 1260: 'url' is \"b'\\\\xff'\", not text"),
    ],
)
def test_a_hand_edited_review_or_post_that_is_not_text_is_one_line(
    tmp_path: Path, statement: str, problem: str
) -> None:
    root = tmp_path / "series"
    init_project(root)
    with Catalog(root / "catalog.db") as catalog:
        catalog.record(ROW)
        catalog.add_review(1260, "abc", "approved", "王审核", "")
        Journal(catalog).record(1260, "mp", "published", url="https://mp.weixin.qq.com/s/x")
    with sqlite3.connect(root / "catalog.db") as db:
        db.execute(statement)
    result = CliRunner().invoke(main, ["--project", str(root), "catalog"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pufa: error: {root / 'catalog.db'}: {problem}; correct it\n"


def test_a_damaged_catalog_says_how_to_restore_and_import_sets_it_aside(tmp_path: Path) -> None:
    """Garbage bytes as catalog.db: every command names the restoring command; it keeps the file, renamed."""
    root = tmp_path / "series"
    init_project(root)
    database = root / "catalog.db"
    with Catalog(database) as catalog:
        catalog.record(ROW)
        export(catalog, root / "output")
    for extra in root.glob("catalog.db-*"):
        extra.unlink()
    garbage = bytes(range(256)) * 20
    database.write_bytes(garbage)
    runner = CliRunner()
    expected = (
        f"pufa: error: {database}: not a database (damaged?); not touching it. Restore it from a backup, "
        "or run: pufa catalog import --replace-damaged output/catalog.json\n"
    )
    export_path = str(root / "output" / "catalog.json")
    for command in (["catalog"], ["build", "--dry-run"], ["catalog", "import", export_path]):
        result = runner.invoke(main, ["--project", str(root), *command])
        assert (result.exit_code, result.stderr) == (1, expected), command
    assert database.read_bytes() == garbage

    result = runner.invoke(main, ["--project", str(root), "catalog", "import", "--replace-damaged", export_path])
    assert result.exit_code == 0, result.output
    [aside] = root.glob("catalog.db.damaged-*")
    assert aside.read_bytes() == garbage
    assert result.stdout == f"moved the damaged {database} aside to {aside}\nimported 1 episodes into {database}\n"
    with Catalog(database) as catalog:
        assert catalog.rows() == [ROW]
    result = runner.invoke(main, ["--project", str(root), "catalog", "import", "--replace-damaged", export_path])
    assert result.exit_code == 1 and "already holds episodes" in result.stderr
    assert list(root.glob("catalog.db.damaged-*")) == [aside]
