"""``pufa export jianying``: a built episode as a 剪映 draft, for an editor to finish by hand.

The draft is written with pyJianYingDraft (plain JSON, not encrypted), which targets
剪映专业版 5.9 to 10.8 on Windows and macOS. It carries what a viewer of the video sees, every
word as an editable text segment over pictures that hold no text, timed in microseconds
exactly as the manifest says (seconds × 1,000,000, rounded):

- 画面 (video): the title card, each scene's background with its picture (or the rules around
  its key sentence) and the closing card, drawn by the series' own painter without any text;
- 声音 (audio): the finished mix from the video (narration over the ducked music, at the
  series loudness), one segment;
- 文字 (text): the words of those pictures where pufa draws them, in its colours: series name,
  第N期, title and topic; each scene's header, label and key sentence (key words in the accent
  colour); the closing card's lines;
- 字幕 (text): every caption the video shows, in the theme's caption colour, outline and band,
  its key words in the accent colour;
- 法条 (text): each law card's text on the card colour, while it is read;
- 要点 (text): each point card as its points appear, on the card colour;
- AI标识 (text): the AI-content notice of the opening (and the corner notice when the series
  shows one), where and while the video shows it.

Every media file is copied into the draft's ``materials/`` folder and referenced by its
absolute path there, so the draft must be written where 剪映 will open it (its drafts
folder, the default when it exists) or exported again after moving.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.catalog import Catalog
from pipeline.config import Config
from pipeline.errors import PufaError, RenderError
from pipeline.i18n import _
from pipeline.media.ffmpeg import ffmpeg_exe
from pipeline.picture.fonts import resolve_bold_font, resolve_font
from pipeline.picture.frames import Painter, hex_colour, hex_colour_alpha
from pipeline.picture.layout import Layout, Text, key_sentence
from pipeline.script import Episode, parse_script

MICROSECONDS = 1_000_000
# 剪映's text size 8 is about pufa's 52 px caption at 1080 wide.
PIXELS_PER_SIZE = 6.5
TRACKS = ("画面", "声音", "文字", "字幕", "法条", "要点", "AI标识")
# The opening notice's band, as pufa draws it (picture/notice.py): black at 150/255.
NOTICE_BAND = ("#000000", 150 / 255)

RGB = tuple[int, int, int]
Span = tuple[float, float]


@dataclass(frozen=True)
class JianyingDraft:
    """A written draft: its folder, name, and each track's segments as (start, duration) in microseconds."""

    folder: Path
    name: str
    tracks: dict[str, tuple[tuple[int, int], ...]]
    duration: int


def drafts_folder() -> Path | None:
    """Where 剪映专业版 keeps its drafts on this computer, if it is installed (Windows, macOS)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        folder = Path(base) / "JianyingPro" / "User Data" / "Projects" / "com.lveditor.draft" if base else None
    elif sys.platform == "darwin":
        folder = Path.home() / "Movies" / "JianyingPro" / "User Data" / "Projects" / "com.lveditor.draft"
    else:
        folder = None
    return folder if folder is not None and folder.is_dir() else None


def microseconds(seconds: float) -> int:
    return round(seconds * MICROSECONDS)


def export_jianying(config: Config, number: int, to: Path | None = None) -> JianyingDraft:
    """Write episode ``number``'s draft into ``to`` (default: 剪映's drafts folder, else output/jianying/)."""
    import pyJianYingDraft as draft

    with Catalog(config.catalog_path) as catalog:
        row = catalog.get(number)
    if row is None:
        raise PufaError(
            _("episode {number} is not in the catalog; build it first: pufa build --only {number}").format(
                number=number
            )
        )
    manifest_path, video = config.root / row.manifest, config.root / row.video
    if not manifest_path.is_file() or not video.is_file():
        raise PufaError(
            _("episode {number}: its outputs are missing; build it again: pufa build --only {number}").format(
                number=number
            )
        )
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    font = resolve_font(config)
    episode = parse_script(config.root / row.script, font.missing)
    if episode.source_digest != manifest["inputs"]["script"]:
        raise PufaError(
            _("{script}: changed since episode {number} was built; run pufa build first").format(
                script=row.script, number=number
            )
        )

    name = video.parent.name
    target = (to or drafts_folder() or config.output_dir / "jianying").resolve()
    target.mkdir(parents=True, exist_ok=True)
    folder = target / name
    if folder.exists():
        shutil.rmtree(folder)
    size = manifest["video"]
    script = draft.DraftFolder(str(target)).create_draft(name, size["width"], size["height"], size["fps"])
    materials = folder / "materials"
    materials.mkdir()

    # Stills without motion: 剪映 shows the picture itself, and the editor adds movement there.
    still = dataclasses.replace(config, theme=dataclasses.replace(config.theme, motion="none"))
    writer = _Writer(draft, script, still, Layout(still, font, resolve_bold_font(still), size["width"], size["height"]))
    painter = Painter(still, font, size["width"], size["height"], bold=writer.layout.bold)
    screens = [("title.png", writer.layout.title_card(episode), manifest["title_card"])]
    for scene in manifest["scenes"]:
        screen = writer.layout.scene(episode, scene["index"] - 1, [], None)
        screens.append((f"scene-{scene['index']:02d}.png", screen, scene))
    screens.append(("closing.png", writer.layout.closing_card(), manifest["closing_card"]))
    for file_name, screen, span in screens:
        clean = dataclasses.replace(screen, base=tuple(i for i in screen.base if not isinstance(i, Text)), top=())
        painter.paint(clean).convert("RGB").save(materials / file_name)
        when = (span["start"], span["end"])
        writer.segment(draft.VideoSegment(str(materials / file_name), writer.timerange(when)), "画面", when)
        for text in screen.texts:
            writer.text(text, when, "文字")

    sound = materials / "sound.m4a"
    _extract_audio(video, sound)
    whole = (0.0, manifest["duration"])
    writer.segment(draft.AudioSegment(str(sound), writer.timerange(whole)), "声音", whole)

    writer.captions(episode, shown_captions(episode, manifest))
    for words, when in law_cards(episode, manifest):
        writer.card(words, when, "法条")
    for words, when in point_cards(episode, manifest):
        writer.card(words, when, "要点", align=0)
    writer.ai_notices(manifest)
    writer.write()
    script.duration = microseconds(manifest["duration"])
    script.save()
    return JianyingDraft(folder, name, draft_tracks(folder), script.duration)


def shown_captions(episode: Episode, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The narration captions the video shows: not those a card shows instead, nor a key sentence set large."""
    shown = []
    for cue in manifest["captions"]:
        if cue["kind"] != "narration":
            continue
        scene = episode.scenes[cue["scene"] - 1]
        if scene.image is None:
            key = key_sentence([b for b in scene.blocks if b.kind == "narration"])
            if cue["text"].replace("\n", "") in key.shown:
                continue
        shown.append(cue)
    return shown


def law_cards(episode: Episode, manifest: dict[str, Any]) -> list[tuple[str, Span]]:
    """Each law card as (text, (start, end)) in seconds: the card's words as the script quotes them.

    The text is the law block's own (its citation, 、，。 and all), never the captions glued
    together: captions drop the punctuation at their ends, and an article must reach 剪映 as
    enacted. A card lasts from its first caption to its last; two cards in a scene stay two.
    Captions are matched to their card by their words, in order.
    """
    cards: list[tuple[str, Span]] = []
    for scene_number in sorted({c["scene"] for c in manifest["captions"] if c["kind"] == "law"}):
        blocks = [b for b in episode.scenes[scene_number - 1].blocks if b.kind == "law"]
        spans: dict[int, Span] = {}
        index = 0
        for cue in manifest["captions"]:
            if cue["kind"] != "law" or cue["scene"] != scene_number:
                continue
            words = _bare(cue["text"])
            while index < len(blocks) - 1 and (words not in _bare(blocks[index].shown)):
                index += 1
            start, end = spans.get(index, (cue["start"], cue["end"]))
            spans[index] = (min(start, cue["start"]), max(end, cue["end"]))
        cards += [(blocks[i].shown, spans[i]) for i in sorted(spans)]
    return cards


_PUNCTUATION = re.compile(r"[\s\u3000-\u303f\uff00-\uffef,.;:!?'\"()\-]")


def _bare(text: str) -> str:
    """Text without spaces and punctuation, to match a caption with the words of its card."""
    return _PUNCTUATION.sub("", text)


def point_cards(episode: Episode, manifest: dict[str, Any]) -> list[tuple[str, Span]]:
    """Each state of each point card as (text, (start, end)): the points read so far, numbered, one a line.

    A new state starts with the first caption of each point; the last lasts to the card's last caption.
    """
    states: list[tuple[str, Span]] = []
    for run in _runs(manifest, "points"):
        scene = episode.scenes[run[0]["scene"] - 1]
        points = [p.shown for b in scene.blocks if b.kind == "points" for p in b.points]
        starts: list[tuple[int, float]] = []
        index = 0
        for cue in run:
            text = cue["text"].replace("\n", "")
            while index < len(points) - 1 and text not in points[index]:
                index += 1
            if not starts or starts[-1][0] != index:
                starts.append((index, cue["start"]))
        for (index, start), following in zip(starts, [*starts[1:], (-1, run[-1]["end"])], strict=True):
            lines = [f"{n + 1}  {points[n]}" for n in range(index + 1)]
            states.append(("\n".join(lines), (start, following[1])))
    return states


def _runs(manifest: dict[str, Any], kind: str) -> Iterator[list[dict[str, Any]]]:
    """Runs of consecutive captions of ``kind`` in one scene."""
    run: list[dict[str, Any]] = []
    for cue in manifest["captions"]:
        if cue["kind"] == kind and run and run[-1]["scene"] == cue["scene"]:
            run.append(cue)
            continue
        if run:
            yield run
        run = [cue] if cue["kind"] == kind else []
    if run:
        yield run


class _Writer:
    """Adds text segments to ``script``, placed and styled as pufa draws them on a frame of the layout's size."""

    def __init__(self, draft: Any, script: Any, config: Config, layout: Layout) -> None:
        self.draft, self.script, self.config, self.layout = draft, script, config, layout
        # Segments of one track may not overlap: words shown together go on lanes 文字, 文字2, 文字3…
        self.lanes: dict[str, list[list[tuple[Any, Span]]]] = {track: [] for track in TRACKS}
        self.width, self.height = layout.width, layout.height
        theme = config.theme
        self.card_back = draft.TextBackground(color=_hex(hex_colour(theme.card)), round_radius=0.1)
        self.card_ink = hex_colour(theme.card_text)

    def timerange(self, when: Span) -> Any:
        first = microseconds(when[0])
        return self.draft.Timerange(first, microseconds(when[1]) - first)

    def size(self, pixels: float) -> float:
        """剪映's text size for ``pixels`` of font size on this frame."""
        return round(pixels / self.layout.scale / PIXELS_PER_SIZE, 2)

    def place(self, box: tuple[float, float, float, float]) -> Any:
        """剪映's position of something centred in ``box``: half-frame units from the centre, up positive."""
        x = ((box[0] + box[2]) / 2 - self.width / 2) / (self.width / 2)
        y = (self.height / 2 - (box[1] + box[3]) / 2) / (self.height / 2)
        return self.draft.ClipSettings(transform_x=round(x, 4), transform_y=round(y, 4))

    def add(self, words: str, runs: Sequence[tuple[int, int, RGB]], when: Span, track: str, **options: Any) -> None:
        segment = _rich_segment()(words, self.timerange(when), **options)
        segment.runs = list(runs)
        self.segment(segment, track, when)

    def segment(self, segment: Any, track: str, when: Span) -> None:
        """Queue ``segment`` on the first lane of ``track`` free over ``when``."""
        lanes = self.lanes[track]
        free = next((lane for lane in lanes if all(e <= when[0] or when[1] <= s for _, (s, e) in lane)), None)
        if free is None:
            free = []
            lanes.append(free)
        free.append((segment, when))

    def write(self) -> None:
        """Every track with its lanes, in :data:`TRACKS` order (later ones over earlier ones), and their segments."""
        kinds = {"画面": self.draft.TrackType.video, "声音": self.draft.TrackType.audio}
        specs, placed = [], []
        for track in TRACKS:
            for number, lane in enumerate(self.lanes[track] or [[]], start=1):
                name = track if number == 1 else f"{track}{number}"
                specs.append(self.draft.TrackSpec(kinds.get(track, self.draft.TrackType.text), name))
                placed += [(segment, name) for segment, _ in sorted(lane, key=lambda queued: queued[1])]
        self.script.append_tracks(specs)
        for segment, name in placed:
            self.script.add_segment(segment, name)

    def text(self, text: Text, when: Span, track: str) -> None:
        """A text block of a screen: its lines as laid out, each run in its colour, at its place."""
        words, runs = _lines_and_runs([[(run.text, run.colour) for run in line.runs] for line in text.lines])
        if not words:
            return
        boxes = [line.box for line in text.lines]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        style = self.draft.TextStyle(size=self.size(text.size), color=_unit(runs[0][2]), align=1)
        border = (
            self.draft.TextBorder(color=_unit(text.stroke_colour), width=text.stroke / self.layout.scale * 10.0)
            if text.stroke
            else None
        )
        shadow = (
            self.draft.TextShadow(color=_unit(text.shadow[:3]), alpha=round(text.shadow[3] / 255, 3))
            if text.shadow is not None
            else None
        )
        self.add(words, runs, when, track, style=style, border=border, shadow=shadow, clip_settings=self.place(box))

    def captions(self, episode: Episode, cues: list[dict[str, Any]]) -> None:
        """The captions at the caption band, in the theme's caption style, key words in the accent colour."""
        captions = self.config.captions
        style = self.draft.TextStyle(
            size=self.size(self.layout.px(captions.font_size)),
            color=_unit(hex_colour(captions.colour)),
            align=1,
            auto_wrapping=True,
            max_line_width=round(self.layout.caption_width() / self.width, 3),
        )
        border = (
            self.draft.TextBorder(color=_unit(hex_colour(captions.stroke)), width=captions.stroke_width * 10.0)
            if captions.stroke_width
            else None
        )
        band = None
        if captions.band:
            red, green, blue, alpha = hex_colour_alpha(captions.band)
            band = self.draft.TextBackground(color=_hex((red, green, blue)), alpha=alpha / 255, round_radius=0.2)
        bottom = self.layout.caption_bottom()
        step = self.layout.px(captions.font_size * 1.4)
        for cue in cues:
            text = cue["text"]
            lines = text.count("\n") + 1
            box = (0, bottom - step * lines, self.width, bottom)
            keys = key_words(episode.scenes[cue["scene"] - 1])
            runs = _marked(text, keys, hex_colour(captions.colour), self.layout.accent)
            self.add(
                text,
                runs,
                (cue["start"], cue["end"]),
                "字幕",
                style=style,
                border=border,
                background=band,
                clip_settings=self.place(box),
            )

    def card(self, words: str, when: Span, track: str, align: int = 1) -> None:
        """A law or point card: its text on the card colour, centred where pufa shows its cards."""
        style = self.draft.TextStyle(
            size=self.size(self.layout.px(44)),
            color=_unit(self.card_ink),
            align=align,
            auto_wrapping=True,
            max_line_width=0.8,
        )
        place = self.place((0, self.height * 0.2, self.width, self.layout.caption_bottom()))
        runs = [(0, len(words), self.card_ink)]
        self.add(words, runs, when, track, style=style, background=self.card_back, clip_settings=place)

    def ai_notices(self, manifest: dict[str, Any]) -> None:
        """The opening notice over its band, where and while the video shows it; the corner notice throughout."""
        label = manifest.get("ai_label", {})
        opening = label.get("opening_notice")
        if not label.get("ai_generated") or not opening:
            return
        colour, alpha = NOTICE_BAND
        white = (255, 255, 255)
        style = self.draft.TextStyle(size=self.size(opening["font_size"]), color=_unit(white), align=1)
        band = self.draft.TextBackground(color=colour, alpha=alpha, round_radius=0.5)
        words = opening["text"]
        when = (opening["start"], opening["end"])
        place = self.place(tuple(opening["box"]))
        self.add(words, [(0, len(words), white)], when, "AI标识", style=style, background=band, clip_settings=place)
        corner = label.get("corner_notice")
        if corner:
            scale = self.layout.scale
            right, top = self.width * 0.96, self.height * 0.085
            box = (right - len(corner) * 30 * scale - 28 * scale, top, right, top + 46 * scale)
            small = self.draft.TextStyle(size=self.size(30 * scale), color=_unit(white), align=1)
            back = self.draft.TextBackground(color=colour, alpha=120 / 255, round_radius=0.5)
            span = (0.0, manifest["duration"])
            place = self.place(box)
            self.add(
                corner, [(0, len(corner), white)], span, "AI标识", style=small, background=back, clip_settings=place
            )


def key_words(scene: Any) -> list[str]:
    """The words the script marks as key words (``**重点**``) in the scene's narration."""
    return [s.shown for b in scene.blocks if b.kind == "narration" for s in b.spans if s.emphasis and s.shown]


def _marked(text: str, words: Sequence[str], ink: RGB, accent: RGB) -> list[tuple[int, int, RGB]]:
    """Colour runs of ``text``: every occurrence of a key word in ``accent``, the rest in ``ink``."""
    colours = [ink] * len(text)
    for word in words:
        start = text.find(word)
        while start >= 0:
            colours[start : start + len(word)] = [accent] * len(word)
            start = text.find(word, start + len(word))
    return _merged(colours)


def _lines_and_runs(lines: Sequence[Sequence[tuple[str, RGB]]]) -> tuple[str, list[tuple[int, int, RGB]]]:
    """Lines of coloured runs as one text (lines joined by newlines) and its colour runs (start, end, colour)."""
    colours: list[RGB] = []
    words = []
    for number, line in enumerate(lines):
        if number:
            words.append("\n")
            colours.append(colours[-1] if colours else (255, 255, 255))
        for text, colour in line:
            words.append(text)
            colours += [colour] * len(text)
    return "".join(words), _merged(colours)


def _merged(colours: Sequence[RGB]) -> list[tuple[int, int, RGB]]:
    runs: list[tuple[int, int, RGB]] = []
    for index, colour in enumerate(colours):
        if runs and runs[-1][2] == colour:
            runs[-1] = (runs[-1][0], index + 1, colour)
        else:
            runs.append((index, index + 1, colour))
    return runs


@functools.cache
def _rich_segment() -> Any:
    """pyJianYingDraft's text segment with one style range per colour run (剪映 keeps a style per range)."""
    import pyJianYingDraft as draft

    class RichText(draft.TextSegment):  # type: ignore[misc]
        runs: list[tuple[int, int, RGB]]  # set on each segment before it is saved

        def export_material(self) -> dict[str, Any]:
            material: dict[str, Any] = super().export_material()
            content = json.loads(material["content"])
            base = content["styles"][0]
            styles = []
            for start, end, colour in self.runs:
                style = copy.deepcopy(base)
                style["range"] = [start, end]
                style["fill"]["content"]["solid"]["color"] = list(_unit(colour))
                styles.append(style)
            content["styles"] = styles or [base]
            material["content"] = json.dumps(content, ensure_ascii=False)
            return material

    return RichText


def draft_tracks(folder: Path) -> dict[str, tuple[tuple[int, int], ...]]:
    """The segments of each track of the draft in ``folder``, loaded back with pyJianYingDraft."""
    import pyJianYingDraft as draft

    loaded = draft.DraftFolder(str(folder.parent)).load_template(folder.name)
    return {
        track.name: tuple((s.target_timerange.start, s.target_timerange.duration) for s in track.segments)
        for track in loaded.imported_tracks
    }


def draft_texts(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Each text track's segments in order: text, style ranges (start, end, RGB 0–1), place and start (µs)."""
    content = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    materials = {m["id"]: json.loads(m["content"]) for m in content["materials"]["texts"]}
    texts: dict[str, list[dict[str, Any]]] = {}
    for track in content["tracks"]:
        if track["type"] == "text":
            texts[track["name"]] = [
                {
                    "text": materials[s["material_id"]]["text"],
                    "styles": [
                        (st["range"][0], st["range"][1], tuple(st["fill"]["content"]["solid"]["color"]))
                        for st in materials[s["material_id"]]["styles"]
                    ],
                    "place": (s["clip"]["transform"]["x"], s["clip"]["transform"]["y"]),
                    "start": s["target_timerange"]["start"],
                }
                for s in track["segments"]
            ]
    return texts


def draft_media(folder: Path) -> list[Path]:
    """Every media file the draft in ``folder`` refers to."""
    content = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    return [Path(m["path"]) for kind in ("videos", "audios") for m in content["materials"].get(kind, [])]


def _unit(rgb: Sequence[int]) -> tuple[float, float, float]:
    return (round(rgb[0] / 255, 4), round(rgb[1] / 255, 4), round(rgb[2] / 255, 4))


def _hex(rgb: Sequence[int]) -> str:
    return f"#{rgb[0]:02X}{rgb[1]:02X}{rgb[2]:02X}"


def _extract_audio(video: Path, target: Path) -> None:
    command = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(video), "-vn", "-c:a", "copy", str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(
            _("{video}: cannot take the sound out of the video: {stderr}").format(
                video=video, stderr=done.stderr.strip()[-300:]
            )
        )
