"""The catalog and pufa's own files are safe: a lost catalog is never silently replaced, a locked one
fails before rendering, exports cannot run as formulas, and every bad file gets one line."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline import catalog as catalog_module
from pipeline.catalog import Catalog, Entry, to_csv
from pipeline.cli import main
from pipeline.picture.fonts import resolve_font
from tests.conftest import Built


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def series(built: Built, tmp_path: Path) -> Path:
    """A copy of the built project: one episode in catalog.db and its exports."""
    root = tmp_path / "series"
    shutil.copytree(built.config.root, root)
    return root


def mp4s(root: Path) -> list[Path]:
    return sorted((root / "output" / "episodes").rglob("*.mp4"))


@pytest.mark.parametrize("damage", ["empty", "missing"])
def test_a_lost_catalog_is_refused_and_import_restores_it(series: Path, damage: str) -> None:
    database = series / "catalog.db"
    exported = (series / "output" / "catalog.json").read_text(encoding="utf-8")
    for extra in series.glob("catalog.db-*"):
        extra.unlink()
    if damage == "empty":
        database.write_bytes(b"")
    else:
        database.unlink()
    state = "empty (0 bytes)" if damage == "empty" else "missing"
    expected = (
        f"pufa: error: {database}: {state}, but output/catalog.json lists 1 episodes; not starting a new catalog. "
        "Restore it from a backup, or run: pufa catalog import output/catalog.json\n"
    )
    for command in (["build"], ["build", "--force"], ["catalog"]):
        code, _, err = invoke("--project", str(series), *command)
        assert code == 1
        assert err == expected
    assert (series / "output" / "catalog.json").read_text(encoding="utf-8") == exported

    code, out, _ = invoke("--project", str(series), "catalog", "import", str(series / "output" / "catalog.json"))
    assert code == 0
    assert out == f"imported 1 episodes into {database}\n"
    code, out, _ = invoke("--project", str(series), "build", "--dry-run")
    assert code == 0
    with Catalog(database) as db:
        restored = [r.as_json() for r in db.rows()]
    # The export also carries each episode's review and publications; the rows are what import restores.
    assert restored == [{k: v for k, v in item.items() if k in restored[0]} for item in json.loads(exported)]
    code, _, err = invoke("--project", str(series), "catalog", "import", str(series / "output" / "catalog.json"))
    assert code == 1
    assert "already holds episodes" in err


def test_a_locked_catalog_fails_before_rendering(
    series: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_module, "BUSY_TIMEOUT_SECONDS", 0.2)
    before = {p: p.stat().st_mtime_ns for p in mp4s(series)}
    holder = sqlite3.connect(series / "catalog.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = invoke("--project", str(series), "build", "--force")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert err == (
        f"pufa: error: {series / 'catalog.db'}: cannot write the catalog, so nothing was built: database is locked; "
        "another program holds it (a database browser?): close it and run again\n"
    )
    assert {p: p.stat().st_mtime_ns for p in mp4s(series)} == before
    assert not list((series / "output" / "episodes").glob(".work-*"))


# Run inside a private mount namespace (unshare) after the build, to show what the build left:
# the catalog's integrity and rows, and every file it changed (newer than the marker made before it).
AFTER_BUILD = """
import json, sqlite3, sys
from pathlib import Path
db = sqlite3.connect(sys.argv[1])
print(json.dumps({"integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
                  "rows": db.execute("SELECT number, input_hash, video FROM episodes ORDER BY number").fetchall()}))
"""


def _catalog_rows(series: Path) -> list[list[object]]:
    with sqlite3.connect(series / "catalog.db") as db:
        return [list(r) for r in db.execute("SELECT number, input_hash, video FROM episodes ORDER BY number")]


def _build_in_namespace(setup: str, scratch: Path) -> tuple[list[str], str, dict[str, object], list[str]]:
    """``pufa build --force`` in the project ``$PROJECT`` after the shell commands ``setup``, in a private mount
    namespace; ``scratch`` (outside any mount made) keeps the build's standard error and a marker file.

    Returns the build's standard-error lines, its exit status, the catalog as the build left it
    (integrity check and rows), and the files the build changed (relative to the project).
    """
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    script = (
        f"{setup} && cd $PROJECT && touch {scratch}/marker && "
        f"{sys.executable} -m pipeline build --force >{scratch}/stdout 2>{scratch}/stderr; echo status=$? && "
        "rm -f $PROJECT/../filler && "  # room again, so the catalog can be read back
        f"{sys.executable} -c '{AFTER_BUILD}' $PROJECT/catalog.db && find . -newer {scratch}/marker -type f"
    )
    result = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script], capture_output=True, text=True, env=env, check=False
    )
    lines = result.stdout.splitlines()
    assert len(lines) > 1 and lines[0].startswith("status="), result.stdout + result.stderr
    errors = (scratch / "stderr").read_text(encoding="utf-8").splitlines()
    return errors, lines[0], json.loads(lines[1]), sorted(lines[2:])


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True, check=False
    )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs user and mount namespaces (unshare -Urm)")


@needs_mounts
def test_a_read_only_catalog_fails_before_rendering(series: Path) -> None:
    """catalog.db bind-mounted read-only: even root cannot write it, as on a read-only share."""
    rows = _catalog_rows(series)
    database = series / "catalog.db"
    setup = f"PROJECT={series} && mount --bind {database} {database} && mount -o remount,bind,ro {database}"
    errors, status, left, changed = _build_in_namespace(setup, series.parent / "scratch")
    assert errors == [
        f"pufa: error: {database}: cannot write the catalog, so nothing was built: "
        "attempt to write a readonly database; make catalog.db and its folder writable"
    ]
    assert status == "status=1"
    assert left == {"integrity": "ok", "rows": rows}
    assert all(name.startswith("./catalog.db-") for name in changed), changed  # SQLite's own -wal and -shm


@needs_mounts
def test_a_full_catalog_disk_fails_before_rendering(series: Path, tmp_path: Path) -> None:
    """The project on a 16 MB tmpfs that another file fills, all but the 32 KB of SQLite's shared-memory
    index: the catalog's first write gets SQLite's "database or disk is full"."""
    rows = _catalog_rows(series)
    disk = tmp_path / "disk"
    disk.mkdir()
    fill = (
        "import os; s = os.statvfs('.'); free = s.f_bavail * s.f_frsize; "
        "open('filler', 'wb').write(bytes(free - 32768))"
    )
    # Checkpointed and closed: SQLite removes its -wal and -shm, which would otherwise hold room of their own.
    settle = "import sqlite3; db = sqlite3.connect('series/catalog.db'); db.execute('PRAGMA wal_checkpoint'); db.close()"
    setup = (
        f"mount -t tmpfs -o size=16m tmpfs {disk} && cp -r {series} {disk}/series && PROJECT={disk}/series && "
        f"cd {disk} && {sys.executable} -c \"{settle}\" && {sys.executable} -c \"{fill}\""
    )
    errors, status, left, changed = _build_in_namespace(setup, series.parent / "scratch")
    assert errors == [f"pufa: error: no space left on {disk} while writing catalog.db; free some space and run again"]
    assert status == "status=1"
    assert left == {"integrity": "ok", "rows": rows}
    assert all(name.startswith("./catalog.db-") for name in changed), changed


def test_no_output_records_a_path_of_this_machine(built: Built) -> None:
    """Every file a build writes (manifest, subtitles, video, cover, catalog exports) and every catalog row,
    searched byte by byte for the project's folder, its parent, the font, the audio cache and pufa's own folder.

    (A 剪映 draft is the exception, by 剪映's design: it names its media by absolute path.)
    """
    root = built.config.root
    font = resolve_font(built.config).path
    machine = {str(root), str(root.resolve()), str(root.parent.resolve()), str(font), str(font.resolve()),
               os.environ["PUFA_CACHE_DIR"], str(Path(__file__).resolve().parents[1])}  # fmt: skip
    written = [p for p in (root / "output").rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".mp4", ".srt", ".vtt", ".json", ".csv", ".jpg"}
    with sqlite3.connect(root / "catalog.db") as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = json.dumps([db.execute(f"SELECT * FROM {table}").fetchall() for table in tables], ensure_ascii=False)
    assert "0007" in rows
    for path in written:
        data = path.read_bytes()
        for place in machine:
            assert place.encode("utf-8") not in data, f"{path.relative_to(root)} records {place}"
    for place in machine:
        assert place not in rows, f"catalog.db records {place}"


def test_a_hand_edited_row_that_is_not_json_is_one_line(series: Path) -> None:
    with sqlite3.connect(series / "catalog.db") as db:
        db.execute("UPDATE episodes SET laws = '《民法典》第一千二百五十四条' WHERE number = 7")
    code, out, err = invoke("--project", str(series), "catalog")
    assert code == 1 and out == ""
    assert err == (
        f"pufa: error: {series / 'catalog.db'}: episode 7: 'laws' is not a JSON list of texts "
        "('《民法典》第一千二百五十四条'); correct it (e.g. [\"a\", \"b\"]) or run pufa build --force\n"
    )


def test_csv_cells_never_run_as_formulas(series: Path) -> None:
    with Catalog(series / "catalog.db") as db:
        [row] = db.rows()
    hostile = replace(row, title='=HYPERLINK("http://x","点我")', topic="+1", tags=("@SUM(A1)", "-2", "安全"))
    header, cells = list(csv.reader(to_csv([Entry(hostile, None, {})]).splitlines()))
    assert cells[header.index("title")] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert cells[header.index("topic")] == "'+1"
    assert cells[header.index("tags")] == "'@SUM(A1)；-2；安全"
    assert cells[header.index("script")] == row.script


def test_cache_clear_removes_only_pufas_recordings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.speech.cache import CachedEngine
    from pipeline.speech.engines import VoiceSettings
    from pipeline.speech.espeak import EspeakEngine

    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path))
    CachedEngine(EspeakEngine()).speak(["你好。"], VoiceSettings("cmn"))
    audio = tmp_path / "audio"
    (audio / "预算.xlsx").write_bytes(b"PK spreadsheet")
    (audio / "ab").mkdir(exist_ok=True)
    (audio / "ab" / "notes.txt").write_text("mine", encoding="utf-8")
    code, out, _ = invoke("cache", "clear")
    assert code == 0 and out.startswith("removed 1 recordings (")
    assert sorted(p.relative_to(audio).as_posix() for p in audio.rglob("*")) == ["ab", "ab/notes.txt", "预算.xlsx"]


@pytest.mark.parametrize("name", ["c" * 64 + ".npz\n", "." + "c" * 64 + ".npz.x.part\n", "C" * 64 + ".npz"])
def test_cache_clear_keeps_a_file_whose_name_only_resembles_a_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path))
    shard = tmp_path / "audio" / "cc"
    shard.mkdir(parents=True)
    (shard / name).write_bytes(b"not pufa's")
    code, out, _ = invoke("cache", "clear")
    assert (code, out) == (0, f"removed 0 recordings (0.0 MB) from {tmp_path / 'audio'}\n")
    assert [p.name for p in shard.iterdir()] == [name]


def test_a_damaged_cache_entry_is_discarded_and_spoken_again(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from pipeline.speech.cache import CachedEngine
    from pipeline.speech.engines import VoiceSettings
    from pipeline.speech.espeak import EspeakEngine

    engine = CachedEngine(EspeakEngine(), tmp_path)
    first = engine.speak(["你好。"], VoiceSettings("cmn"))
    [entry] = list(tmp_path.rglob("*.npz"))
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    again = CachedEngine(EspeakEngine(), tmp_path)
    second = again.speak(["你好。"], VoiceSettings("cmn"))
    assert (again.hits, again.misses) == (0, 1)
    assert abs(len(second.samples) - len(first.samples)) < first.sample_rate // 100
    assert capfd.readouterr().err == (
        f"pufa: note: a damaged cached recording was discarded and will be made again: {entry}\n"
    )
    third = CachedEngine(EspeakEngine(), tmp_path)
    third.speak(["你好。"], VoiceSettings("cmn"))
    assert (third.hits, third.misses) == (1, 0)


def npy(array: object) -> bytes:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def gigantic_header() -> bytes:
    """An int16 array whose header claims 2**40 samples and which holds four."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<i2", "fortran_order": False, "shape": (2**40,)})
    return buffer.getvalue() + np.zeros(4, dtype=np.int16).tobytes()


WRONG_SHAPES: dict[str, dict[str, object]] = {
    "sample_rate a cube": {"sample_rate": "cube"},
    "sample_rate zero": {"sample_rate": 0},
    "samples two-dimensional": {"samples": "grid"},
    "samples as floats": {"samples": "floats"},
    "samples claiming 2**40 in their header": {"samples": "gigantic"},
    "pieces of another count": {"pieces": "three"},
    "pieces flat": {"pieces": "flat"},
    "notes as numbers": {"notes": "numbers"},
    "counts negative": {"times": "two", "counts": "negative"},
    "times not finite": {"times": "nan", "counts": "one two"},
    "a field missing": {"notes": None},
}


@pytest.mark.parametrize("change", WRONG_SHAPES.values(), ids=list(WRONG_SHAPES))
def test_a_cache_entry_of_the_wrong_shape_is_discarded_and_spoken_again(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], change: dict[str, object]
) -> None:
    import zipfile

    import numpy as np

    from pipeline.speech.cache import CachedEngine
    from pipeline.speech.engines import VoiceSettings
    from pipeline.speech.espeak import EspeakEngine

    first = CachedEngine(EspeakEngine(), tmp_path).speak(["你好。"], VoiceSettings("cmn"))
    [entry] = list(tmp_path.rglob("*.npz"))
    with np.load(entry) as data:
        fields = {name: npy(data[name]) for name in data.files}
        shapes = {
            "cube": npy(np.zeros((3, 3, 3))),
            "grid": npy(data["samples"].reshape(1, -1)),
            "floats": npy(data["samples"].astype(np.float32)),
            "gigantic": gigantic_header(),
            "three": npy(np.zeros((3, 2))),
            "flat": npy(np.zeros(2)),
            "numbers": npy(np.arange(3)),
            "two": npy(np.array([0.1, 0.2])),
            "negative": npy(np.array([-1, 3])),
            "nan": npy(np.array([0.1, np.nan])),
            "one two": npy(np.array([2])),
        }
    for name, value in change.items():
        if value is None:
            del fields[name]
        else:
            fields[name] = shapes[value] if isinstance(value, str) else npy(np.array(value))
    with zipfile.ZipFile(entry, "w") as archive:
        for name, content in fields.items():
            archive.writestr(f"{name}.npy", content)
    capfd.readouterr()
    again = CachedEngine(EspeakEngine(), tmp_path)
    second = again.speak(["你好。"], VoiceSettings("cmn"))
    assert (again.hits, again.misses) == (0, 1)
    assert abs(len(second.samples) - len(first.samples)) < first.sample_rate // 100
    assert capfd.readouterr().err == (
        f"pufa: note: a damaged cached recording was discarded and will be made again: {entry}\n"
    )


def test_a_fifo_in_place_of_a_cache_entry_is_never_opened(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from pipeline.speech.cache import CachedEngine
    from pipeline.speech.engines import VoiceSettings
    from pipeline.speech.espeak import EspeakEngine

    engine = CachedEngine(EspeakEngine(), tmp_path)
    entry = engine.entry_path(engine.key(["你好。"], VoiceSettings("cmn")))
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    engine.speak(["你好。"], VoiceSettings("cmn"))
    assert (engine.hits, engine.misses) == (0, 1)
    assert entry.is_file()
    assert capfd.readouterr().err == (
        f"pufa: note: a damaged cached recording was discarded and will be made again: {entry}\n"
    )


@pytest.mark.parametrize("link", [".gitignore", "scripts", "output/.gitkeep"])
def test_init_refuses_to_write_through_links(tmp_path: Path, link: str) -> None:
    project, outside = tmp_path / "series", tmp_path / "outside"
    outside.mkdir()
    (project / "output").mkdir(parents=True)
    target = outside / "victim"
    (project / link).symlink_to(target)
    code, out, err = invoke("init", str(project))
    assert code == 1 and out == ""
    assert err == (
        f"pufa: error: {project / link} is a symbolic link; pufa init writes nothing through links, remove it first\n"
    )
    assert list(outside.iterdir()) == []
    assert not (project / "pufa.toml").exists()


HEAD = "---\nepisode: 1\ntitle: 测试\ntopic: 民法典\n---\n"


def test_pictures_and_music_outside_the_project_are_refused(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check reports them and build refuses them with the same lines, before anything is rendered."""
    monkeypatch.chdir(project)
    Image.new("RGB", (64, 48), (1, 2, 3)).save(tmp_path / "elsewhere.png")
    (project / "assets" / "images" / "link.png").symlink_to(tmp_path / "elsewhere.png")
    body = f"## 一\n![a]({tmp_path / 'elsewhere.png'})\n你好。\n\n## 二\n![b](../assets/images/link.png)\n再见。\n"
    (project / "scripts" / "0001.md").write_text(HEAD + body, encoding="utf-8")
    outside = tmp_path / "elsewhere.png"
    # Named at the picture's own line, as written, and refused before the file is opened.
    expected = [
        f"scripts/0001.md:7: error: {outside} is outside the project folder; copy it into assets/images/",
        "scripts/0001.md:11: error: ../assets/images/link.png is outside the project folder; copy it into "
        "assets/images/",
    ]
    code, out, _ = invoke("--project", str(project), "check")
    assert code == 1
    assert [line for line in out.splitlines() if ": error:" in line] == [
        line.replace(": error:", ":1: error:") for line in expected
    ]
    code, _, err = invoke("--project", str(project), "build")
    assert code == 1
    assert err.splitlines() == expected
    assert not (project / "output" / "episodes").exists()
    with Catalog(project / "catalog.db") as db:
        assert db.rows() == []

    (tmp_path / "music.m4a").write_bytes(b"not really music")
    (project / "scripts" / "0001.md").write_text(HEAD.replace("topic: 民法典", "topic: 民法典\nmusic: ../../music.m4a")
                                                 + "## 一\n你好。\n", encoding="utf-8")
    for command in ("check", "build"):
        code, out, err = invoke("--project", str(project), command)
        assert code == 1
        assert [line for line in (out + err).splitlines() if ": error:" in line] == [
            f"scripts/0001.md:5{':1' if command == 'check' else ''}: error: music ../../music.m4a is outside the "
            "project folder; copy it into assets/music/"
        ]
    (project / "scripts" / "0001.md").write_text(HEAD + "## 一\n你好。\n", encoding="utf-8")
    (project / "pufa.toml").write_text('[voice]\nengine = "espeak"\n[sound]\nmusic = "../music.m4a"\n', "utf-8")
    for command in ("check", "build"):
        code, _, err = invoke("--project", str(project), command)
        assert code == 1
        assert err == (
            f"pufa: error: {project / 'pufa.toml'}: 'sound.music' ../music.m4a is outside the project folder; "
            "copy it into assets/music/\n"
        )
    assert not (project / "output" / "episodes").exists()


def test_terminal_output_shows_control_characters_escaped(project: Path) -> None:
    (project / "scripts" / "0001.md").write_text(
        HEAD.replace("topic: 民法典", 'topic: 民法典\n"\\e]0;pwned\\a": 1') + "## 开场\n你好。\n", encoding="utf-8"
    )
    code, out, err = invoke("--project", str(project), "check")
    assert code == 1
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "unknown field '\\x1b]0;pwned\\x07'" in out


def test_text_files_that_are_not_utf8_are_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    (project / "scripts" / "0001.md").write_text(HEAD + "## 开场\n你好。\n", encoding="utf-8")
    (project / "assets" / "lexicon.tsv").write_bytes("单县\t善县\n".encode("gbk"))
    code, _, err = invoke("--project", str(project), "check")
    assert code == 1
    assert err == "assets/lexicon.tsv:1: error: not UTF-8 text (byte 0xb5); save the file as UTF-8\n"


def test_a_script_name_that_is_not_utf8_is_refused_before_rendering(project: Path) -> None:
    name = os.fsdecode(b"0001-\xff\xfe.md")
    (project / "scripts" / name).write_text(HEAD + "## 开场\n你好。\n", encoding="utf-8")
    code, _, err = invoke("--project", str(project), "build")
    assert code == 1
    assert err.count("\n") == 1
    assert err.endswith(":1: error: the file name '0001-\\xff\\xfe.md' is not valid UTF-8; rename the file\n")
    assert not (project / "output" / "episodes").exists() or not list((project / "output" / "episodes").rglob("*"))
    with Catalog(project / "catalog.db") as db:
        assert db.rows() == []


@needs_mounts
def test_a_full_disk_is_one_line_and_leaves_nothing_behind(project: Path, tmp_path: Path) -> None:
    """The project lives on a 400 KB tmpfs (in a private mount namespace): the narration does not fit."""
    (project / "scripts" / "0001.md").write_text(HEAD + "## 开场\n" + "大家好，欢迎收看普法小讲堂。" * 4 + "\n", "utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=400k tmpfs {disk} && cp -r {project} {disk}/series && cd {disk}/series && "
        f"{sys.executable} -m pipeline build; echo status=$?; find {disk}/series -name '*.part' -o -name '.work-*' "
        f"-o -name '*.mp4' -o -name '*.srt'"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(["unshare", "-Urm", "sh", "-c", script], capture_output=True, text=True, env=env, check=False)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"scripts/0001.md: error: no space left on {disk} while writing output/episodes/")
    assert lines[0].endswith("; free some space and run again")
    assert result.stdout.splitlines()[-1] == "status=1", "and find printed no leftover or final file"


def test_a_script_outside_the_project_is_not_built(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    stray = tmp_path / "stray.md"
    stray.write_text(HEAD + "## 开场\n你好。\n", encoding="utf-8")
    code, _, err = invoke("build", str(stray))
    assert code == 1
    assert err == f"{stray}:1: error: the script is outside the project folder; move it into scripts/\n"
    assert not (project / "output" / "episodes").exists()


def test_music_that_is_not_audio_is_found_by_check_before_any_work(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A picture renamed .mp3 or a half-copied file: check names it, build refuses it before drawing."""
    monkeypatch.chdir(project)
    (project / "assets" / "music").mkdir(parents=True, exist_ok=True)
    (project / "assets" / "music" / "bed.mp3").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 4000)
    (project / "scripts" / "0001.md").write_text(
        HEAD.replace("topic: 民法典", "topic: 民法典\nmusic: bed.mp3") + "## 一\n你好。\n", encoding="utf-8"
    )
    for command in ("check", "build"):
        code, out, err = invoke("--project", str(project), command)
        assert code == 1
        assert [line for line in (out + err).splitlines() if ": error:" in line] == [
            f"scripts/0001.md:5{':1' if command == 'check' else ''}: error: music bed.mp3 is not a sound file "
            "ffmpeg can read (MP3, M4A, WAV…)"
        ]
    assert not (project / "output" / "episodes").exists()
    (project / "scripts" / "0001.md").write_text(HEAD + "## 一\n你好。\n", encoding="utf-8")
    (project / "pufa.toml").write_text(
        '[voice]\nengine = "espeak"\n[sound]\nmusic = "assets/music/bed.mp3"\n', "utf-8"
    )
    for command in ("check", "build"):
        code, _, err = invoke("--project", str(project), command)
        assert code == 1
        assert err == (
            f"pufa: error: {project / 'pufa.toml'}: 'sound.music' assets/music/bed.mp3 is not a sound file "
            "ffmpeg can read (MP3, M4A, WAV…)\n"
        )
    assert not (project / "output" / "episodes").exists()
