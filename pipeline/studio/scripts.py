"""Episode scripts as the studio sees them: safe names, the episode list, new scripts, saving, checking text.

The Markdown file in ``scripts/`` stays the source of truth. Every name from a request goes
through :func:`script_path`, which refuses anything that is not a plain ``*.md`` file name
directly inside ``scripts/`` (no folders, no ``..``, no links leading out).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from pipeline.catalog import Catalog, CatalogRow, Journal, Publication
from pipeline.config import Config
from pipeline.errors import ScriptError
from pipeline.fsutil import atomic_write_text, resolved
from pipeline.picture.fonts import FontFace, resolve_font
from pipeline.plan import script_paths
from pipeline.render import relative
from pipeline.review.check import Finding, check_episode, estimated_duration
from pipeline.review.trail import ReviewState, review_states
from pipeline.script import Episode, parse_script_bytes, parse_scripts
from pipeline.speech.normalize import Lexicon, load_lexicon
from pipeline.studio import EditConflict, StudioError

NAME = re.compile(r"[^\W_][\w\-]{0,79}\.md")
SLUG = re.compile(r"[^\W_][\w\-]{0,60}")
SIZE_LIMIT = 200_000  # bytes of one script; the longest real episode is under 10 kB
STATUS_LABELS = {"draft": "草稿", "review": "待审", "final": "已定稿", "published": "已发布"}
CHANNEL_LABELS = {"channels": "视频号", "mp": "公众号"}
_EPISODE_LINE = re.compile(r"^episode:\s*(\d+)\s*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class Entry:
    """One row of 节目单: a script, what it became, and where it stands."""

    name: str
    number: int | None
    title: str
    topic: str
    laws: tuple[str, ...]
    status: str  # draft, review, final or published
    duration: float | None  # seconds: the built video's, else the estimate
    built: bool
    reviewer: str
    published: tuple[tuple[str, str], ...]  # (channel label, url)
    month: str  # YYYY-MM: when built, else when the script was last saved
    problem: str  # the first error when the script does not parse

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def script_path(config: Config, name: str) -> Path:
    """The script called ``name`` in scripts/; refuses any name that could lead elsewhere."""
    if not NAME.fullmatch(name):
        raise StudioError(f"不是有效的脚本文件名：{name!r}（只能是 scripts/ 里的 .md 文件名）")
    folder = config.scripts_dir.resolve()
    path = (folder / name).resolve()
    if path.parent != folder:
        raise StudioError(f"不是有效的脚本文件名：{name!r}（只能是 scripts/ 里的 .md 文件名）")
    return path


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=4)
def _tools(config: Config) -> tuple[FontFace, Lexicon]:
    return resolve_font(config), load_lexicon(config.root / config.voice.lexicon)


def episodes(config: Config, engine: str | None = None) -> list[Entry]:
    """Every script in scripts/ with its catalog row, review and publications, by episode number.

    The status and the reviewer come from the review trail (``engine``: the voice engine the
    studio builds with, for episodes not built yet) and the publish journal.
    """
    font, lexicon = _tools(config)
    paths = [resolved(p) for p in script_paths(config)]
    parsed, failures = parse_scripts(paths, font.missing, root=config.root)
    rows: dict[int, CatalogRow] = {}
    publications: dict[int, list[Publication]] = {}
    if config.catalog_path.is_file():
        with Catalog(config.catalog_path) as catalog:
            rows = {row.number: row for row in catalog.rows()}
            for publication in Journal(catalog).all():
                publications.setdefault(publication.episode, []).append(publication)
    numbers = tuple(dict.fromkeys(e.number for e in parsed))
    known = {e.number: e.path for e in reversed(parsed)}
    states = {s.episode: s for s in review_states(config, numbers, scripts=known, engine=engine)}
    entries = [
        _entry(config, e, rows.get(e.number), publications.get(e.number, []), states[e.number], lexicon) for e in parsed
    ]
    for path, error in failures.items():
        data = path.read_bytes() if path.is_file() else b""
        match = _EPISODE_LINE.search(data.decode("utf-8", "replace"))
        first = error.diagnostics[0]
        entries.append(
            Entry(
                name=path.name,
                number=int(match[1]) if match else None,
                title=path.stem,
                topic="",
                laws=(),
                status="draft",
                duration=None,
                built=False,
                reviewer="",
                published=(),
                month=_mtime_month(path),
                problem=f"第{first.line}行：{first.message}",
            )
        )
    return sorted(entries, key=lambda e: (e.number is None, e.number or 0, e.name))


def _entry(
    config: Config,
    episode: Episode,
    row: CatalogRow | None,
    publications: list[Publication],
    review: ReviewState,
    lexicon: Lexicon,
) -> Entry:
    """The episode's row: 已发布 once posted, 已定稿 when its current inputs are approved in the trail,
    待审 when they have been previewed or built and await a verdict, else 草稿 (a rejection sends it back)."""
    verdict = review.review.verdict if review.review is not None and review.current_hash else None
    published = tuple(
        (CHANNEL_LABELS.get(p.channel, p.channel), p.url or "") for p in publications if p.state == "published"
    )
    preview_page = config.output_dir / "preview" / f"{episode.number:04d}" / "index.html"
    previewed = preview_page.is_file() and preview_page.stat().st_mtime >= episode.path.stat().st_mtime
    if published or (row is not None and row.status == "published"):
        status = "published"
    elif verdict == "approved":
        status = "final"
    elif verdict is None and (previewed or review.state in ("unreviewed", "void")):
        status = "review"
    else:
        status = "draft"
    built = row is not None and row.script == relative(episode.path, config.root)
    return Entry(
        name=episode.path.name,
        number=episode.number,
        title=episode.title,
        topic=episode.topic,
        laws=episode.laws,
        status=status,
        duration=row.duration if built and row else round(estimated_duration(config, episode, lexicon), 1),
        built=built,
        reviewer=review.review.reviewer if review.review is not None and verdict == "approved" else "",
        published=published,
        month=row.built_at[:7] if built and row else _mtime_month(episode.path),
        problem="",
    )


def _mtime_month(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m")
    except OSError:
        return ""


def filter_entries(
    entries: list[Entry], *, q: str = "", topic: str = "", law: str = "", status: str = "", month: str = ""
) -> list[Entry]:
    """The episodes matching every given filter; ``q`` searches the title, number and file name."""
    q = q.strip()
    return [
        e
        for e in entries
        if (not q or q in e.title or q in e.name or q == str(e.number))
        and (not topic or e.topic == topic)
        and (not law or any(law in cited for cited in e.laws))
        and (not status or e.status == status)
        and (not month or e.month == month)
    ]


def read_script(config: Config, name: str) -> tuple[str, str]:
    """The script's text and the digest of its bytes (for detecting an edit made on disk meanwhile)."""
    path = script_path(config, name)
    if not path.is_file():
        raise StudioError(f"没有这个脚本：{name}")
    data = path.read_bytes()
    return data.decode("utf-8", "replace"), digest(data)


def save_script(config: Config, name: str, text: str, base: str, *, force: bool = False) -> str:
    """Write ``text`` to the script; refuse with :class:`EditConflict` if the disk no longer holds ``base``.

    ``base`` is the digest the editor loaded ("" for a new file). Returns the new digest.
    """
    path = script_path(config, name)
    text = text.replace("\r\n", "\n")
    data = text.encode("utf-8")
    if len(data) > SIZE_LIMIT:
        raise StudioError(f"脚本太长：{len(data)} 字节，最多 {SIZE_LIMIT} 字节")
    if path.is_file():
        current = path.read_bytes()
        if digest(current) != base and not force:
            raise EditConflict(name, current.decode("utf-8", "replace"))
    elif base and not force:
        raise EditConflict(name, "")
    atomic_write_text(path, text)
    return digest(data)


def next_number(config: Config) -> int:
    """One more than the highest episode number in scripts/ or the catalog."""
    numbers = [0]
    for path in script_paths(config):
        match = _EPISODE_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            numbers.append(int(match[1]))
    if config.catalog_path.is_file():
        with Catalog(config.catalog_path) as catalog:
            numbers += [row.number for row in catalog.rows()]
    return max(numbers) + 1


def template_text(config: Config) -> str:
    """The series template for a new episode: assets/template.md in the project, else the built-in one."""
    own = config.root / "assets" / "template.md"
    if own.is_file():
        return own.read_text(encoding="utf-8")
    return files("pipeline.studio").joinpath("templates/episode.md").read_text("utf-8")


def new_script(config: Config, number: int, title: str, topic: str, slug: str) -> str:
    """Create ``scripts/<NNNN>-<slug>.md`` from the series template; returns its name."""
    title, topic, slug = title.strip(), topic.strip(), slug.strip()
    if number < 1:
        raise StudioError("期数必须是正整数")
    if not title or not topic:
        raise StudioError("标题和主题都要填写")
    if "\n" in title or "\n" in topic:
        raise StudioError("标题和主题只能是一行")
    if not SLUG.fullmatch(slug):
        raise StudioError(f"文件名只能用字母、数字、汉字和连字符：{slug!r}")
    for path in script_paths(config):
        match = _EPISODE_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
        if match and int(match[1]) == number:
            raise StudioError(f"第{number}期已经有脚本：{path.name}")
    name = f"{number:04d}-{slug}.md"
    path = script_path(config, name)
    if path.exists():
        raise StudioError(f"已经有这个文件：{name}")
    text = (
        template_text(config)
        .replace("{{episode}}", str(number))
        .replace("{{title}}", _yaml_text(title))
        .replace("{{topic}}", _yaml_text(topic))
    )
    config.scripts_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)
    return name


def _yaml_text(value: str) -> str:
    """A one-line YAML string: quoted when plain text would be read as something else."""
    if re.search(r"[:#\[\]{}&*!|>'\"%@`,]", value) or value[:1] in "-?" or value.strip() != value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


@dataclass(frozen=True)
class TextCheck:
    findings: tuple[Finding, ...]
    estimate: float | None  # seconds; None while the script does not parse
    target: tuple[float, float]


def check_text(config: Config, name: str, text: str) -> TextCheck:
    """``pufa check`` on text the editor has not saved yet, as if it were scripts/``name``."""
    path = script_path(config, name)
    font, lexicon = _tools(config)
    data = text.encode("utf-8")
    target = (config.series.target_min_seconds, config.series.target_max_seconds)
    if len(data) > SIZE_LIMIT:
        return TextCheck(
            (Finding(path, 1, 1, "error", f"the script is {len(data)} bytes; at most {SIZE_LIMIT}"),), None, target
        )
    try:
        episode = parse_script_bytes(path, data, font.missing, root=config.root)
    except ScriptError as exc:
        findings = [Finding(d.path, d.line, max(d.column, 1), d.severity, d.message) for d in exc.diagnostics]
        return TextCheck(tuple(findings), None, target)
    findings = check_episode(config, episode, font, lexicon)
    for other in script_paths(config):
        if other.resolve() == path:
            continue
        match = _EPISODE_LINE.search(other.read_text(encoding="utf-8", errors="replace"))
        if match and int(match[1]) == episode.number:
            findings.append(
                Finding(path, episode.number_line, 1, "error", f"episode {episode.number} is also used by {other.name}")
            )
    order = {"error": 0, "warning": 1, "note": 2}
    findings.sort(key=lambda f: (f.line, order.get(f.severity, 3)))
    return TextCheck(tuple(findings), estimated_duration(config, episode, lexicon), target)
