"""``pufa export jianying``: a built episode as a 剪映 draft, for an editor to finish by hand.

The draft is written with pyJianYingDraft (plain JSON, not encrypted), which targets
剪映专业版 5.9 to 10.8 on Windows and macOS. It holds four tracks, timed in microseconds
exactly as the manifest says (seconds × 1,000,000, rounded):

- 画面 (video): the title card, each scene's background with its picture, and the closing
  card, as still images drawn by the series' own painter, without captions or law cards;
- 声音 (audio): the finished mix from the video (narration over the ducked music, at the
  series loudness), one segment;
- 字幕 (text): every caption with its time, in the theme's caption colour, outline and band;
- 法条 (text): each law card's text, over the card colour, while it is read.

Every media file is copied into the draft's ``materials/`` folder and referenced by its
absolute path there, so the draft must be written where 剪映 will open it (its drafts
folder, the default when it exists) or exported again after moving.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.catalog import Catalog
from pipeline.config import Config
from pipeline.errors import PufaError, RenderError
from pipeline.media.ffmpeg import ffmpeg_exe
from pipeline.picture.fonts import resolve_font
from pipeline.picture.frames import Painter, hex_colour, hex_colour_alpha
from pipeline.script import parse_script

MICROSECONDS = 1_000_000
# 剪映's text size 8 is about pufa's 52 px caption at 1080 wide.
PIXELS_PER_SIZE = 6.5
TRACKS = ("画面", "声音", "字幕", "法条")


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
        raise PufaError(f"episode {number} is not in the catalog; build it first: pufa build --only {number}")
    manifest_path, video = config.root / row.manifest, config.root / row.video
    if not manifest_path.is_file() or not video.is_file():
        raise PufaError(f"episode {number}: its outputs are missing; build it again: pufa build --only {number}")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    font = resolve_font(config)
    episode = parse_script(config.root / row.script, font.missing)
    if episode.source_digest != manifest["inputs"]["script"]:
        raise PufaError(f"{row.script}: changed since episode {number} was built; run pufa build first")

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
    painter = Painter(still, font, size["width"], size["height"])
    stills = [("title.png", painter.title_card(episode), manifest["title_card"])]
    for scene in manifest["scenes"]:
        image = painter.scene_state(episode, scene["index"] - 1, [], None)
        stills.append((f"scene-{scene['index']:02d}.png", image, scene))
    stills.append(("closing.png", painter.closing_card(), manifest["closing_card"]))

    kinds = (draft.TrackType.video, draft.TrackType.audio, draft.TrackType.text, draft.TrackType.text)
    script.append_tracks([draft.TrackSpec(kind, name) for kind, name in zip(kinds, TRACKS, strict=True)])
    for file_name, image, span in stills:
        image.convert("RGB").save(materials / file_name)
        script.add_segment(
            draft.VideoSegment(str(materials / file_name), _range(draft, span["start"], span["end"])), "画面"
        )

    sound = materials / "sound.m4a"
    _extract_audio(video, sound)
    script.add_segment(draft.AudioSegment(str(sound), _range(draft, 0.0, manifest["duration"])), "声音")

    caption_style, caption_border, caption_band = _caption_style(draft, config)
    caption_place = draft.ClipSettings(transform_y=_caption_y(config, size["height"], size["width"]))
    for cue in manifest["captions"]:
        script.add_segment(
            draft.TextSegment(
                cue["text"],
                _range(draft, cue["start"], cue["end"]),
                style=caption_style,
                border=caption_border,
                background=caption_band,
                clip_settings=caption_place,
            ),
            "字幕",
        )
    card_style = draft.TextStyle(
        size=44 / PIXELS_PER_SIZE,
        color=_unit(hex_colour(config.theme.card_text)),
        align=1,
        auto_wrapping=True,
        max_line_width=0.8,
    )
    card_back = draft.TextBackground(color=config.theme.card, round_radius=0.1)
    for text, start, end in law_cards(manifest):
        script.add_segment(
            draft.TextSegment(text, _range(draft, start, end), style=card_style, background=card_back), "法条"
        )
    script.duration = microseconds(manifest["duration"])
    script.save()
    return JianyingDraft(folder, name, draft_tracks(folder), script.duration)


def law_cards(manifest: dict[str, Any]) -> list[tuple[str, float, float]]:
    """Each law card as (text, start, end) in seconds: a run of consecutive law captions in one scene."""
    cards: list[tuple[str, float, float]] = []
    previous: dict[str, Any] | None = None
    for cue in manifest["captions"]:
        if cue["kind"] == "law":
            joined = previous is not None and previous["kind"] == "law" and previous["scene"] == cue["scene"]
            if joined and cards:
                text, start, _ = cards[-1]
                cards[-1] = (text + cue["text"], start, cue["end"])
            else:
                cards.append((cue["text"], cue["start"], cue["end"]))
        previous = cue
    return cards


def draft_tracks(folder: Path) -> dict[str, tuple[tuple[int, int], ...]]:
    """The segments of each track of the draft in ``folder``, loaded back with pyJianYingDraft."""
    import pyJianYingDraft as draft

    loaded = draft.DraftFolder(str(folder.parent)).load_template(folder.name)
    return {
        track.name: tuple((s.target_timerange.start, s.target_timerange.duration) for s in track.segments)
        for track in loaded.imported_tracks
    }


def draft_media(folder: Path) -> list[Path]:
    """Every media file the draft in ``folder`` refers to."""
    content = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    return [Path(m["path"]) for kind in ("videos", "audios") for m in content["materials"].get(kind, [])]


def _range(draft: Any, start: float, end: float) -> Any:
    first = microseconds(start)
    return draft.Timerange(first, microseconds(end) - first)


def _unit(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    return (rgb[0] / 255, rgb[1] / 255, rgb[2] / 255)


def _caption_style(draft: Any, config: Config) -> tuple[Any, Any, Any]:
    captions = config.captions
    style = draft.TextStyle(
        size=captions.font_size / PIXELS_PER_SIZE,
        color=_unit(hex_colour(captions.colour)),
        align=1,
        auto_wrapping=True,
        max_line_width=(1080 - 2 * captions.margin) / 1080,
    )
    border = (
        draft.TextBorder(color=_unit(hex_colour(captions.stroke)), width=captions.stroke_width * 10.0)
        if captions.stroke_width
        else None
    )
    band = None
    if captions.band:
        red, green, blue, alpha = hex_colour_alpha(captions.band)
        band = draft.TextBackground(color=f"#{red:02X}{green:02X}{blue:02X}", alpha=alpha / 255, round_radius=0.2)
    return style, border, band


def _caption_y(config: Config, height: int, width: int) -> float:
    """Where pufa draws captions, as 剪映's vertical offset (half frame heights, up is positive)."""
    scale = width / 1080
    bottom = round(height * 0.85) - round(30 * scale)
    centre = bottom - round(config.captions.font_size * 1.4 * scale)
    return round(1 - 2 * centre / height, 3)


def _extract_audio(video: Path, target: Path) -> None:
    command = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(video), "-vn", "-c:a", "copy", str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(f"{video}: cannot take the sound out of the video: {done.stderr.strip()[-300:]}")
