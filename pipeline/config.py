"""The series configuration, ``pufa.toml``: a typed schema with a documented default for every key.

The project root is the folder holding ``pufa.toml``; relative paths in the file resolve
against it. An unknown key or a bad value is an error naming the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.fsutil import inside
from pipeline.i18n import _
from pipeline.limits import CONTROL, TEXT_BYTES, size_word

CONFIG_NAME = "pufa.toml"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_COLOUR_ALPHA = re.compile(r"^(#[0-9A-Fa-f]{8})?$")


def _doc(text: str, **extra: Any) -> dict[str, Any]:
    return {"doc": text, **extra}


@dataclass(frozen=True)
class SeriesConfig:
    name: str = field(default="抚宁普法小讲堂", metadata=_doc("Series name, shown at the top of every frame."))
    producer: str = field(default="秦皇岛市抚宁区司法局", metadata=_doc("Producer, shown on the closing card."))
    account: str = field(default="抚宁司法", metadata=_doc("WeChat account name, shown on the closing card."))
    qr_url: str = field(default="", metadata=_doc("Address for the QR code on the closing card; empty: no QR code."))
    qr_label: str = field(default="扫码获取法律服务", metadata=_doc("Words under the QR code."))
    hotline: str = field(default="12348", metadata=_doc("Telephone line set large on the closing card; empty: none."))
    hotline_label: str = field(default="公共法律服务热线", metadata=_doc("Words above the hotline number."))
    target_min_seconds: float = field(
        default=60.0,
        metadata=_doc("Shortest episode the series wants; pufa check warns below it.", min=5.0, max=3600.0),
    )
    target_max_seconds: float = field(
        default=180.0,
        metadata=_doc("Longest episode the series wants; pufa check warns above it.", min=5.0, max=3600.0),
    )


@dataclass(frozen=True)
class VideoConfig:
    width: int = field(default=1080, metadata=_doc("Frame width in pixels (even).", min=240, max=4096, even=True))
    height: int = field(default=1920, metadata=_doc("Frame height in pixels (even).", min=240, max=4096, even=True))
    fps: int = field(default=30, metadata=_doc("Frames per second.", min=10, max=60))
    crf: int = field(default=20, metadata=_doc("x264 quality: lower is better and larger.", min=0, max=51))
    preset: str = field(
        default="veryfast",
        metadata=_doc(
            "x264 speed preset.",
            choices=("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"),
        ),
    )
    title_seconds: float = field(
        default=2.5, metadata=_doc("How long the opening title card stays.", min=0.5, max=10.0)
    )
    closing_seconds: float = field(default=3.0, metadata=_doc("How long the closing card stays.", min=0.5, max=10.0))
    safe_area: str = field(
        default="channels",
        metadata=_doc(
            "Where the platform's own controls leave the frame clear, and every text must stay: channels (视频号), "
            "douyin (抖音: more at the bottom and right) or none (the whole frame).",
            choices=("channels", "douyin", "none"),
        ),
    )


@dataclass(frozen=True)
class ThemeConfig:
    name: str = field(
        default="default",
        metadata=_doc(
            "Theme to start from: a built-in one (default, crimson, large: 适老化 large high-contrast captions) "
            "or assets/themes/NAME.toml; keys set here override it."
        ),
    )
    background: str = field(default="#0E3A66", metadata=_doc("Background colour (top of the gradient).", colour=True))
    background_bottom: str = field(default="#06203B", metadata=_doc("Background colour at the bottom.", colour=True))
    accent: str = field(default="#F2B632", metadata=_doc("Accent colour: labels, rules, 第N期 badge.", colour=True))
    text: str = field(default="#FFFFFF", metadata=_doc("Text colour on the background.", colour=True))
    card: str = field(default="#FBF6E9", metadata=_doc("Law-card panel colour.", colour=True))
    card_text: str = field(default="#2B2118", metadata=_doc("Law-card text colour.", colour=True))
    font: str = field(
        default="",
        metadata=_doc("Font file (.ttf/.otf/.ttc) relative to the project; empty: bundled Noto Sans CJK SC."),
    )
    font_index: int = field(
        default=-1,
        metadata=_doc("Face index inside a .ttc collection; -1 picks the SC face of the bundled font.", min=-1, max=64),
    )
    bold_font: str = field(
        default="",
        metadata=_doc(
            "Heavy font for titles, captions and key words (relative to the project); empty: bundled Noto Sans CJK "
            "Bold, or theme.font when that is set."
        ),
    )
    card_accent: str = field(
        default="#B3261E", metadata=_doc("Law and point cards: citation, numbers and key words.", colour=True)
    )
    scene_labels: bool = field(
        default=False, metadata=_doc("Show each scene's heading (开场, 案例 ...) as a label on screen.")
    )
    logo: str = field(
        default="", metadata=_doc("Logo image shown in the header (relative to the project); empty: none.")
    )
    title_layout: str = field(
        default="centre",
        metadata=_doc(
            "Title and closing card layout: centre (all centred) or banner (a coloured band across each card).",
            choices=("centre", "banner"),
        ),
    )
    motion: str = field(
        default="push-in",
        metadata=_doc(
            "Scene pictures: push-in (a slow Ken Burns zoom, drawn by ffmpeg every frame) or none (still).",
            choices=("none", "push-in"),
        ),
    )
    transition: str = field(
        default="fade",
        metadata=_doc(
            "Between title card, scenes and closing card: fade (a short cross-fade, drawn by ffmpeg) or none (a cut).",
            choices=("none", "fade"),
        ),
    )
    transition_seconds: float = field(
        default=0.3, metadata=_doc("How long a transition lasts, in seconds.", min=0.0, max=2.0)
    )
    picture_fit: str = field(
        default="cover",
        metadata=_doc(
            "Scene pictures: cover (fill the frame, cropping) or contain (whole picture).", choices=("cover", "contain")
        ),
    )


@dataclass(frozen=True)
class VoiceConfig:
    engine: str = field(
        default="auto",
        metadata=_doc(
            "TTS engine: edge (Microsoft neural voices, online), kokoro (offline neural voice), "
            "espeak (fastest offline draft voice), auto (edge when reachable, else kokoro, else espeak).",
            choices=("auto", "edge", "kokoro", "espeak"),
        ),
    )
    name: str = field(
        default="zh-CN-YunxiNeural", metadata=_doc("edge-tts voice of the series; a script's voice: overrides it.")
    )
    kokoro_name: str = field(
        default="zm_yunxi",
        metadata=_doc(
            "Kokoro voice of the series (offline); a script's voice: naming a Kokoro voice overrides it.",
            choices=("zm_yunxi", "zm_yunyang", "zm_yunjian", "zf_xiaoxiao"),
        ),
    )
    offline_name: str = field(default="cmn", metadata=_doc("eSpeak NG voice for the draft engine."))
    threads: int = field(
        default=1,
        metadata=_doc(
            "CPU threads for the Kokoro voice in each build worker (1 is fastest with --jobs).", min=1, max=16
        ),
    )
    rate: float = field(
        default=1.0, metadata=_doc("Speaking rate, 1.0 is the engine's normal speed.", min=0.5, max=2.0)
    )
    volume: float = field(default=1.0, metadata=_doc("Voice volume, 1.0 is normal.", min=0.1, max=2.0))
    pitch: int = field(default=0, metadata=_doc("Pitch shift in Hz (edge-tts only).", min=-100, max=100))
    lexicon: str = field(
        default="assets/lexicon.tsv", metadata=_doc("Pronunciation lexicon: one 'written<TAB>spoken' per line.")
    )


@dataclass(frozen=True)
class CaptionConfig:
    font_size: int = field(default=54, metadata=_doc("Caption font size in pixels at 1080 wide.", min=20, max=160))
    max_lines: int = field(default=2, metadata=_doc("Lines per caption at most.", min=1, max=2))
    colour: str = field(default="#FFFFFF", metadata=_doc("Caption text colour.", colour=True))
    stroke: str = field(default="#000000", metadata=_doc("Caption outline colour.", colour=True))
    stroke_width: int = field(
        default=0,
        metadata=_doc("Caption outline width in pixels; 0 for none (the band and shadow carry it).", min=0, max=12),
    )
    shadow: str = field(
        default="#000000B0",
        metadata=_doc(
            "Soft shadow under captions and titles, with alpha (#RRGGBBAA); empty for none.", colour_alpha=True
        ),
    )
    band: str = field(
        default="#00000099",
        metadata=_doc("Caption band colour with alpha (#RRGGBBAA); empty for none.", colour_alpha=True),
    )
    margin: int = field(
        default=56, metadata=_doc("Left and right margin of the caption text in pixels.", min=0, max=400)
    )
    highlight: str = field(
        default="none",
        metadata=_doc(
            "word: mark each word of a caption with the accent colour while it is spoken "
            "(a 《》 title or 第…条 as one); none: captions in one colour.",
            choices=("none", "word"),
        ),
    )


@dataclass(frozen=True)
class SoundConfig:
    music: str = field(
        default="", metadata=_doc("Background music file for the series (relative to the project); empty for none.")
    )
    music_level_db: float = field(
        default=-16.0,
        metadata=_doc(
            "Music level in pauses, dB relative to full scale, before loudness normalisation.", min=-40.0, max=0.0
        ),
    )
    opening_stinger: str = field(default="", metadata=_doc("Short sound under the title card; empty for none."))
    closing_stinger: str = field(default="", metadata=_doc("Short sound under the closing card; empty for none."))


@dataclass(frozen=True)
class ReviewConfig:
    laws_dir: str = field(
        default="",
        metadata=_doc(
            "Folder of official law texts (LawRefBook layout); pufa check then compares every law card with "
            "its article. Empty: not checked."
        ),
    )
    reviewers: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            'Who may approve an episode for publishing (法制审核), e.g. ["张律师"]; empty: anyone named with --by.'
        ),
    )


@dataclass(frozen=True)
class BuildConfig:
    cluster: str = field(
        default="",
        metadata=_doc(
            "Dask scheduler that pufa build hands episodes to, like tcp://192.168.1.20:8786, or local:N for N "
            "worker processes on this PC; empty: render here. --cluster overrides it."
        ),
    )


@dataclass(frozen=True)
class PublishConfig:
    hashtags: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            'Topics (话题) added to every post\'s description, e.g. ["普法小讲堂", "抚宁司法"]; '
            "each episode's tags follow them."
        ),
    )


@dataclass(frozen=True)
class ComplianceConfig:
    """AI-content labels (《人工智能生成合成内容标识办法》, GB 45438-2025): on unless switched off on purpose."""

    ai_generated: bool = field(
        default=True,
        metadata=_doc(
            "The narration is synthesised by AI, so every episode carries the labels the law requires: a visible "
            "notice in the opening picture and the AIGC metadata in the MP4. false means no AI made any part of "
            "the episode (a person recorded the voice); pufa then adds no label at all, and publishing "
            "unlabelled synthetic content breaks the 标识办法."
        ),
    )
    notice_text: str = field(
        default="本视频配音由人工智能合成", metadata=_doc("The visible notice in the opening picture.")
    )
    notice_seconds: float = field(
        default=2.0,
        metadata=_doc(
            "How long the opening notice must stay at least (GB 45438-2025 asks 2 s); the opening title card "
            "(video.title_seconds) carries it and must last as long.",
            min=2.0,
            max=10.0,
        ),
    )
    corner_notice: bool = field(
        default=False, metadata=_doc("Also show a small notice in a corner of every frame, for the whole video.")
    )
    corner_text: str = field(default="AI合成配音", metadata=_doc("The corner notice's words."))
    spoken_notice: bool = field(
        default=False,
        metadata=_doc("Also speak the notice (notice_text) over the opening title card, in the episode's voice."),
    )
    producer_code: str = field(
        default="",
        metadata=_doc(
            "ContentProducer of the AIGC metadata: the producer's 统一社会信用代码 (or the TC260 provider code); "
            "empty: series.producer's name."
        ),
    )
    propagator_code: str = field(
        default="",
        metadata=_doc(
            "ContentPropagator written into publish copies: the publishing account's code; empty: series.account."
        ),
    )


@dataclass(frozen=True)
class Config:
    """The whole series configuration and where it came from."""

    root: Path
    series: SeriesConfig = SeriesConfig()
    video: VideoConfig = VideoConfig()
    theme: ThemeConfig = ThemeConfig()
    voice: VoiceConfig = VoiceConfig()
    captions: CaptionConfig = CaptionConfig()
    sound: SoundConfig = SoundConfig()
    review: ReviewConfig = ReviewConfig()
    build: BuildConfig = BuildConfig()
    compliance: ComplianceConfig = ComplianceConfig()
    publish: PublishConfig = PublishConfig()

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def scripts_dir(self) -> Path:
        return self.root / "scripts"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.db"


SECTIONS: dict[str, type] = {
    "series": SeriesConfig,
    "video": VideoConfig,
    "theme": ThemeConfig,
    "voice": VoiceConfig,
    "captions": CaptionConfig,
    "sound": SoundConfig,
    "review": ReviewConfig,
    "build": BuildConfig,
    "compliance": ComplianceConfig,
    "publish": PublishConfig,
}


def find_project(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``pufa.toml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        _("no {CONFIG_NAME} in {here} or any folder above it; run 'pufa init DIR' or pass --project DIR").format(
            CONFIG_NAME=CONFIG_NAME, here=here
        )
    )


def read_toml(path: Path) -> dict[str, Any]:
    """``path`` parsed as TOML; a file over ``text_bytes``, not UTF-8, not TOML or nested past the parser's
    stack is a :class:`ConfigError` naming it (a larger file is never read into memory)."""
    with path.open("rb") as handle:
        data = handle.read(TEXT_BYTES.value + 1)
    if len(data) > TEXT_BYTES.value:
        raise ConfigError(f"{path}: over {size_word(TEXT_BYTES.value)}, the limit for a text file ({TEXT_BYTES.name})")
    if data.startswith(b"\xef\xbb\xbf"):
        # Windows Notepad starts UTF-8 files with a byte-order mark, which TOML does not allow: it is not text.
        data = data[3:]
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None


def load_config(root: Path, *, theme: str | None = None) -> Config:
    """Read and validate ``root/pufa.toml``; every problem is reported, then the first raises.

    ``theme`` replaces ``theme.name`` for this run (``pufa build --theme large``).
    """
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            _("{path}: not found; run 'pufa init {root}' to create a project").format(path=path, root=root)
        )
    raw = read_toml(path)
    if theme is not None:
        given = raw.get("theme")
        raw["theme"] = {**(given if isinstance(given, dict) else {}), "name": theme}
    return parse_config(raw, root)


# Built-in themes: values for [theme] and [captions] that a project's own keys override.
BUILTIN_THEMES: dict[str, dict[str, dict[str, Any]]] = {
    "default": {},
    "crimson": {
        "theme": {
            "background": "#9E1F1F",
            "background_bottom": "#4E0C0C",
            "accent": "#F7D774",
            "text": "#FFF8E7",
            "card": "#FFF8E7",
            "card_text": "#3A1D12",
            "title_layout": "banner",
        },
        "captions": {"band": "#2E0606CC", "colour": "#FFF8E7", "stroke": "#2E0606"},
    },
    # 适老化, after GB/T 37668-2019's intent for government content: captions a third larger, white on
    # an almost opaque black band with a thick outline (contrast above 15:1), on a darker background.
    "large": {
        "theme": {"background": "#0A2A4A", "background_bottom": "#041424", "text": "#FFFFFF", "accent": "#FFD34D"},
        "captions": {"font_size": 72, "stroke_width": 6, "band": "#000000E6", "colour": "#FFFFFF", "margin": 40},
    },
}


def theme_preset(name: str, root: Path) -> dict[str, dict[str, Any]]:
    """The values a theme sets: built in, or from assets/themes/NAME.toml in the project."""
    if name in BUILTIN_THEMES:
        return BUILTIN_THEMES[name]
    path = root / "assets" / "themes" / f"{name}.toml"
    if not path.is_file():
        known = ", ".join([*BUILTIN_THEMES, *(p.stem for p in sorted((root / "assets" / "themes").glob("*.toml")))])
        raise ConfigError(
            _("{value}: 'theme.name' is {name!r}, which is neither built in nor {path} (known: {known})").format(
                value=root / CONFIG_NAME, name=name, path=path, known=known
            )
        )
    data = read_toml(path)
    unknown = set(data) - {"theme", "captions"}
    if unknown:
        raise ConfigError(
            _("{path}: a theme file holds only [theme] and [captions], not [{items}]").format(
                path=path, items=", ".join(sorted(unknown))
            )
        )
    return data


def parse_config(raw: dict[str, Any], root: Path) -> Config:
    problems: list[str] = []
    sections: dict[str, Any] = {}
    given = raw.get("theme")
    theme: dict[str, Any] = given if isinstance(given, dict) else {}
    preset = theme_preset(str(theme.get("name", "default")), root)
    raw = dict(raw)
    for name in ("theme", "captions"):
        own = raw.get(name, {})
        if preset.get(name) and isinstance(own, dict):
            raw[name] = {**preset[name], **own}
    for name, value in raw.items():
        schema = SECTIONS.get(name)
        if schema is None:
            problems.append(_("unknown section [{name}] (known: {items})").format(name=name, items=", ".join(SECTIONS)))
            continue
        if not isinstance(value, dict):
            problems.append(_("'{name}' must be a table like [{name}]").format(name=name))
            continue
        sections[name] = _parse_section(name, schema, value, problems)
    config = Config(root=root, **sections)
    if config.voice.lexicon and not inside(root / config.voice.lexicon, root):
        # Refused unread: a lexicon's bad line is quoted in the error, so a link to /etc/passwd would show it.
        problems.append(
            _("'voice.lexicon' {lexicon} is outside the project folder; copy it into assets/").format(
                lexicon=config.voice.lexicon
            )
        )
    if config.compliance.ai_generated and config.video.title_seconds < config.compliance.notice_seconds:
        problems.append(
            _(
                "'video.title_seconds' is {title_seconds} but the opening title card carries the "
                "AI notice, which must stay {notice_seconds} s (compliance.notice_seconds)"
            ).format(title_seconds=config.video.title_seconds, notice_seconds=config.compliance.notice_seconds)
        )
    if problems:
        where = root / CONFIG_NAME
        raise ConfigError("; ".join(f"{where}: {p}" for p in problems))
    return config


def _parse_section(name: str, schema: type, values: dict[str, Any], problems: list[str]) -> Any:
    known = {f.name: f for f in fields(schema)}
    accepted: dict[str, Any] = {}
    for key, value in values.items():
        spec = known.get(key)
        if spec is None:
            problems.append(
                _("unknown key '{name}.{key}' (known: {items})").format(name=name, key=key, items=", ".join(known))
            )
            continue
        problem = _check_value(spec.type, spec.metadata, value)
        if problem:
            problems.append(f"'{name}.{key}' {problem}")
        else:
            accepted[key] = float(value) if spec.type == "float" else tuple(value) if isinstance(value, list) else value
    return replace(schema(), **accepted)


def _check_value(kind: Any, meta: Any, value: Any) -> str | None:
    if kind == "bool" and not isinstance(value, bool):
        return f"must be true or false, not {value!r}"
    if kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
        return f"must be a whole number, not {value!r}"
    if kind == "float" and (not isinstance(value, int | float) or isinstance(value, bool)):
        return f"must be a number, not {value!r}"
    if kind == "bool" and not isinstance(value, bool):
        return f"must be true or false, not {value!r}"
    if kind == "str" and not isinstance(value, str):
        return f"must be text in quotes, not {value!r}"
    if kind == "tuple[str, ...]" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return f'must be a list of texts like ["a", "b"], not {value!r}'
    for text in value if isinstance(value, list) else [value]:
        # Every text here is one line on a screen, a post or a terminal, as a script's title is.
        control = CONTROL.search(text) if isinstance(text, str) else None
        if control:
            return f"contains the control character U+{ord(control[0]):04X}; write it on one line without it"
    if "min" in meta and not meta["min"] <= value <= meta["max"]:
        return f"must be between {meta['min']} and {meta['max']}, not {value!r}"
    if meta.get("even") and value % 2:
        return f"must be even (H.264 with 4:2:0 colour needs it), not {value!r}"
    if "choices" in meta and value not in meta["choices"]:
        return f"must be one of {', '.join(meta['choices'])}, not {value!r}"
    if meta.get("colour") and not _COLOUR.match(value):
        return f'must be a colour like "#1A2B3C", not {value!r}'
    if meta.get("colour_alpha") and not _COLOUR_ALPHA.match(value):
        return f'must be a colour with alpha like "#00000099" or "", not {value!r}'
    return None


THEMED_SECTIONS = ("theme", "captions")  # keys a theme sets: written commented out, so theme.name takes effect


def default_config_text(values: dict[str, dict[str, Any]] | None = None) -> str:
    """pufa.toml as ``pufa init`` writes it: every key, its default (or ``values[section][key]``) and what it does.

    The keys a theme sets ([theme] and [captions]) are written commented out, so switching
    ``theme.name`` changes the look; uncommenting one overrides the theme for that key.
    """
    values = values or {}
    lines = ["# pufa series configuration. Every key is optional; shown here with its default.", ""]
    for name, schema in SECTIONS.items():
        lines.append(f"[{name}]")
        if name in THEMED_SECTIONS:
            lines.append("# Set by the theme (theme.name); remove the '# ' before a key to override the theme's value.")
        for spec in fields(schema):
            lines.append(f"# {spec.metadata['doc']}")
            value = values.get(name, {}).get(spec.name, getattr(schema(), spec.name))
            themed = name in THEMED_SECTIONS and spec.name != "name" and spec.name not in values.get(name, {})
            lines.append(f"{'# ' if themed else ''}{spec.name} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
