"""Rendering one episode: captions planned → narration spoken → captions timed → screen
states drawn → video encoded → outputs moved into place → catalog row.

Nothing appears under a final name until it is complete: the work happens in a private
folder beside the outputs and each file is renamed into place; the manifest goes last, and
the catalog row after it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import json
import shutil
import tempfile
import time
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.captions.split import CaptionPlan, plan_captions
from pipeline.captions.track import CaptionTrack, format_srt, time_captions
from pipeline.captions.webvtt import format_vtt
from pipeline.catalog import Catalog, CatalogRow
from pipeline.config import Config
from pipeline.errors import Diagnostic, RenderError, ScriptError
from pipeline.fsutil import atomic_write_text, commit, disk_error
from pipeline.i18n import _
from pipeline.limits import SOUND_BYTES, file_digest, size_word
from pipeline.media.aigc import AIGC_KEY, AigcLabel, produce_id, read_aigc
from pipeline.media.encode import EncodeSettings, encode
from pipeline.media.ffmpeg import probe
from pipeline.media.sound import Mix, mix
from pipeline.picture.fonts import FontFace, close_faces, resolve_bold_font, resolve_font
from pipeline.picture.frames import Painter, RenderPlan, render_states
from pipeline.picture.layout import Layout, caption_measure, check_episode_layout, describe, planned_captions
from pipeline.picture.notice import Notice, NoticeLayout
from pipeline.script import Episode
from pipeline.speech.engines import EngineChoice, VoiceSettings, choose_engine
from pipeline.speech.narration import Narration, narrate
from pipeline.speech.normalize import Lexicon, load_lexicon, normalize

COVER_SIZE = (1080, 1440)
DURATION_TOLERANCE = 0.1
MIN_NOTICE_SECONDS = 2.0  # GB 45438-2025: the opening notice stays at least 2 s
STAGES = ("voice", "frames", "encode", "finish")
WORK_PREFIX = ".work-"

# Called with a stage name and the fraction of that stage done (0 to 1).
StageReport = Callable[[str, float], None]


@dataclass(frozen=True)
class BuiltEpisode:
    number: int
    title: str
    folder: Path
    video: Path
    subtitles: Path
    cover: Path
    manifest: Path
    duration: float
    seconds: float
    synthesised_scenes: int
    recordings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tools:
    """What every episode of one build shares: the font, the chosen voice engine, the lexicon."""

    font: FontFace
    voice: EngineChoice
    lexicon: Lexicon

    @classmethod
    def load(cls, config: Config, engine: str) -> Tools:
        """Tools for ``engine`` (``edge``, ``kokoro`` or ``espeak``, already resolved from ``auto``)."""
        return cls(
            resolve_font(config),
            choose_engine(engine, threads=config.voice.threads),
            load_lexicon(config.root / config.voice.lexicon),
        )

    def speak(self, text: str) -> str:
        return normalize(text, self.lexicon)


def voice_settings(config: Config, episode: Episode | None, choice: EngineChoice) -> VoiceSettings:
    """The series voice, or the script's own, for the engine in use (each offline engine has its own voices).

    A script's ``voice:`` applies to the engine it belongs to: a Kokoro voice name to Kokoro, any
    other name to edge-tts.
    """
    from pipeline.speech.kokoro import VOICE_NAMES

    voice = config.voice
    script_voice = episode.voice if episode else None
    kokoro_voice = script_voice in VOICE_NAMES
    if choice.engine.name == "espeak":
        name = voice.offline_name
    elif choice.engine.name == "kokoro":
        name = script_voice if script_voice and kokoro_voice else voice.kokoro_name
    else:
        name = script_voice if script_voice and not kokoro_voice else voice.name
    return VoiceSettings(name, voice.rate, voice.volume, voice.pitch)


def input_digests(config: Config, episode: Episode, tools: Tools) -> dict[str, object]:
    """A digest of everything the episode's outputs depend on: change any and the episode is rebuilt."""
    sections = {
        name: asdict(getattr(config, name))
        for name in ("series", "video", "theme", "voice", "captions", "sound", "compliance")
    }
    del sections["voice"]["threads"]  # how fast the voice is computed, not what it says
    music = music_for(config, episode)
    sounds = [
        p
        for p in (music, *(config.root / s for s in (config.sound.opening_stinger, config.sound.closing_stinger) if s))
        if p
    ]
    images = {
        relative(scene.image, config.root): _digest_file(scene.image)
        for scene in episode.scenes
        if scene.image is not None
    }
    speech = speech_digests(config, episode, tools)
    return {
        "script": speech["script"],
        "script_path": relative(episode.path, config.root),
        "images": images,
        "config": _digest(json.dumps(sections, sort_keys=True, ensure_ascii=False)),
        "font": f"{tools.font.digest()}+{resolve_bold_font(config).digest()}",
        "lexicon": speech["lexicon"],
        "sound": {
            relative(p, config.root): _digest_file(_bounded_sound(p, config.root)) for p in sounds if p.is_file()
        },
        "voice": speech["voice"],
        "pipeline": __version__,
    }


def speech_digests(config: Config, episode: Episode, tools: Tools) -> dict[str, str]:
    """The inputs (as in the manifest's ``inputs``) that decide what the voice says: script, lexicon, voice."""
    settings = voice_settings(config, episode, tools.voice)
    return {
        "script": episode.source_digest,
        "lexicon": _digest(repr(tools.lexicon.entries)),
        "voice": _digest(json.dumps([tools.voice.engine.name, tools.voice.engine.version, asdict(settings)])),
    }


def _bounded_sound(path: Path, root: Path) -> Path:
    """``path`` if it is inside the project and within the size limit for music and stingers, else a RenderError."""
    _inside_project(path, root, relative(path, root))
    size = path.stat().st_size
    if size > SOUND_BYTES.value:
        raise RenderError(
            _("{path}: the sound file is {size_word}; the limit is {size_word2} ({name})").format(
                path=relative(path, root),
                size_word=size_word(size),
                size_word2=size_word(SOUND_BYTES.value),
                name=SOUND_BYTES.name,
            )
        )
    return path


def input_hash(inputs: dict[str, object]) -> str:
    return _digest(json.dumps(inputs, sort_keys=True))


def episode_folder(config: Config, episode: Episode) -> Path:
    return config.output_dir / "episodes" / episode.slug


def music_for(config: Config, episode: Episode) -> Path | None:
    """The episode's music: its own ``music:`` (a file, or ``none``), else the series music, else none."""
    choice = episode.music or config.sound.music
    path = find_music(config, episode)
    if path is None:
        return None
    if not path.is_file():
        raise RenderError(
            _("episode {number}: music file not found: {choice}").format(number=episode.number, choice=choice)
        )
    _inside_project(path, config.root, choice)
    return path


def find_music(config: Config, episode: Episode) -> Path | None:
    """Where the episode's music would be read from (links followed; it may not exist), or None for no music.

    The script's ``music:`` is relative to the script, then to assets/music/; the series'
    ``sound.music`` is relative to the project.
    """
    choice = episode.music or config.sound.music
    if not choice or choice.lower() == "none":
        return None
    base = episode.path.parent if episode.music else config.root
    path = (base / choice).resolve()
    if not path.is_file() and episode.music:
        path = (config.root / "assets" / "music" / choice).resolve()
    return path


def _inside_project(path: Path, root: Path, given: str) -> None:
    """Sound files are part of the project: one outside it would be missing on every other machine."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise RenderError(
            _("{given}: the sound file is outside the project folder; copy it into assets/music/").format(given=given)
        )


def stingers_for(config: Config, track: CaptionTrack) -> list[tuple[Path, float]]:
    placed = []
    for name, at in (
        (config.sound.opening_stinger, 0.0),
        (config.sound.closing_stinger, track.closing_first_frame / track.fps),
    ):
        if name:
            path = (config.root / name).resolve()
            if not path.is_file():
                raise RenderError(_("stinger not found: {name} (sound section of pufa.toml)").format(name=name))
            _inside_project(path, config.root, name)
            placed.append((path, at))
    return placed


def caption_plan(config: Config, episode: Episode, tools: Tools) -> CaptionPlan:
    """The episode's captions, split to fit the frame with the caption font at the configured size."""
    layout = Layout(config, tools.font, resolve_bold_font(config), config.video.width, config.video.height)
    return plan_captions(
        episode, caption_measure(layout), layout.caption_width(), config.captions.max_lines, tools.speak
    )


def audio_cache_keys(config: Config, episode: Episode, tools: Tools) -> tuple[str, ...]:
    """The audio cache key of every recording :func:`produce` will ask the voice for: what the manifest lists.

    This splits the captions (the costly part of planning an episode's speech); a built
    episode's manifest lists the same keys under ``voice.recordings``.
    """
    settings = voice_settings(config, episode, tools.voice)
    return recording_keys(config, caption_plan(config, episode, tools), tools, settings)


def recording_keys(config: Config, plan: CaptionPlan, tools: Tools, settings: VoiceSettings) -> tuple[str, ...]:
    """The spoken notice's key (when it is spoken), then each scene's, in scene order."""
    engine = tools.voice.engine
    keys = [engine.key([c.text.spoken for c in captions], settings) for captions in plan.scenes]
    if config.compliance.ai_generated and config.compliance.spoken_notice:
        keys.insert(0, engine.key([tools.speak(config.compliance.notice_text)], settings))
    return tuple(keys)


@dataclass(frozen=True)
class Production:
    """An episode rendered into a work folder: its voice, timeline, screen states and video."""

    narration: Narration
    track: CaptionTrack
    render: RenderPlan
    settings: VoiceSettings
    painter: Painter
    video: Path
    synthesised_scenes: int
    mix: Mix
    recordings: tuple[str, ...] = ()
    label: AigcLabel | None = None
    notice: NoticeLayout | None = None


def produce(
    config: Config,
    episode: Episode,
    tools: Tools,
    work: Path,
    stage: StageReport,
    *,
    watermark: str | None = None,
) -> Production:
    """Speak, time, draw and encode ``episode`` inside ``work``; the video is checked against the narration."""
    video_config = config.video
    bold = resolve_bold_font(config)
    layout = Layout(config, tools.font, bold, video_config.width, video_config.height)
    plan = caption_plan(config, episode, tools)
    # Every screen laid out before any work: a text out of its box or the safe area refuses the episode.
    misplaced = check_episode_layout(layout, episode, planned_captions(plan))
    if misplaced:
        line, message = describe(misplaced[0], episode)
        more = _(" (and {value} more)").format(value=len(misplaced) - 1) if len(misplaced) > 1 else ""
        raise ScriptError([Diagnostic(episode.path, line, message + more)])

    compliance = config.compliance
    label = None
    if compliance.ai_generated:
        digest = input_hash(input_digests(config, episode, tools))
        producer = compliance.producer_code or config.series.producer
        label = AigcLabel(content_producer=producer, produce_id=produce_id(episode.number, digest))

    stage("voice", 0.0)
    engine = tools.voice.engine
    settings = voice_settings(config, episode, tools.voice)
    misses = engine.misses
    title_seconds, spoken = video_config.title_seconds, None
    if compliance.ai_generated and compliance.spoken_notice:
        spoken = spoken_notice(config, tools, settings, work / "notice.wav")
        # The title card stays until the spoken notice has finished, with a breath before the narration.
        title_seconds = max(title_seconds, spoken.end + NOTICE_GAP)
    narration = narrate(
        episode,
        plan,
        engine,
        settings=settings,
        fps=video_config.fps,
        title_seconds=title_seconds,
        closing_seconds=video_config.closing_seconds,
        audio_path=work / "narration.wav",
    )
    track = time_captions(episode, plan, narration, video_config.fps, words=config.captions.highlight == "word")
    stingers, speech = stingers_for(config, track), list(narration.pieces)
    if spoken is not None:
        stingers.append((spoken.path, spoken.start))
        speech.insert(0, (spoken.start, spoken.end))
    # The mix (mostly ffmpeg's measuring and limiting) runs beside the drawing of the frames
    # (Python and Pillow): on two cores the one hides the other. Its errors surface below.
    mixing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mix")
    mixed_soon = mixing.submit(
        mix,
        narration.audio_path,
        speech,
        work / "mix.wav",
        music=music_for(config, episode),
        music_level_db=config.sound.music_level_db,
        stingers=stingers,
    )
    mixing.shutdown(wait=False)

    stage("frames", 0.0)
    painter = Painter(config, tools.font, video_config.width, video_config.height, watermark=watermark, bold=bold)
    notice = Notice(config, tools.font, video_config.width, video_config.height)
    states_dir = work / "states"
    states_dir.mkdir()
    try:
        render = render_states(
            episode, track, painter, states_dir, lambda done: stage("frames", done), decorate=notice.decorate
        )
    finally:
        wait([mixed_soon])  # even when drawing failed: the mix writes into work/, removed after a failure
    mixed = mixed_soon.result()

    stage("encode", 0.0)
    _return_free_memory()
    name = f"episode {episode.number}"
    video = work / "video.mp4"
    encoding = EncodeSettings(crf=video_config.crf, preset=video_config.preset)
    tags = {AIGC_KEY: label.to_json()} if label else None
    encode(render, mixed.path, video, encoding, label=name, progress=lambda done: stage("encode", done), tags=tags)
    info = probe(video)
    if abs(info.duration - narration.duration) > DURATION_TOLERANCE:
        raise RenderError(
            _("{name}: video lasts {duration:.2f} s but the narration {duration2:.2f} s").format(
                name=name, duration=info.duration, duration2=narration.duration
            )
        )
    verify_labels(name, video, label, notice.layout, track)
    made = Production(narration, track, render, settings, painter, video, engine.misses - misses, mixed)
    return replace(made, recordings=recording_keys(config, plan, tools, settings), label=label, notice=notice.layout)


def _return_free_memory() -> None:
    """Give the memory freed by drawing and mixing back to the system before ffmpeg starts.

    ffmpeg's x264 is the render's largest process (about 400 MB at 1080x1920) and runs while
    the Python process waits, so what Python holds then adds to the render's peak. The font
    faces are closed (their file mappings were 110 MB of a 3-minute episode's 257 MB, measured),
    and glibc, which keeps freed heap for reuse, is asked to return it (20-25 MB more).
    Elsewhere than glibc the allocator decides.
    """
    close_faces()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (Windows, macOS, musl): its allocator decides
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass(frozen=True)
class SpokenNotice:
    path: Path
    start: float
    end: float


NOTICE_START = 0.2  # seconds into the title card when the spoken notice begins
NOTICE_GAP = 0.4  # seconds of title card after the spoken notice, before the narration


def spoken_notice(config: Config, tools: Tools, settings: VoiceSettings, target: Path) -> SpokenNotice:
    """The notice spoken in the episode's voice into ``target`` (WAV), to be placed over the opening title card."""
    utterance = tools.voice.engine.speak([tools.speak(config.compliance.notice_text)], settings)
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(utterance.sample_rate)
        out.writeframes(utterance.samples.astype("<i2").tobytes())
    return SpokenNotice(target, NOTICE_START, NOTICE_START + utterance.duration)


def verify_labels(
    name: str, video: Path, label: AigcLabel | None, notice: NoticeLayout | None, track: CaptionTrack
) -> None:
    """The built video carries both AI-content labels: the AIGC tag as written and the opening notice as required."""
    if label is None:
        return
    found = read_aigc(video)
    if found != label:
        raise RenderError(
            _("{name}: the video's AIGC metadata reads {found} instead of {to_json}").format(
                name=name, found=found, to_json=label.to_json()
            )
        )
    if notice is None or notice.text_height < notice.required_height:
        raise RenderError(
            _("{name}: the opening AI notice is missing or smaller than 5% of the frame's shorter side").format(
                name=name
            )
        )
    if track.title_end_frame / track.fps < MIN_NOTICE_SECONDS:
        raise RenderError(
            _("{name}: the opening AI notice would show for less than {MIN_NOTICE_SECONDS} s").format(
                name=name, MIN_NOTICE_SECONDS=MIN_NOTICE_SECONDS
            )
        )


def render_episode(
    config: Config,
    episode: Episode,
    tools: Tools,
    catalog: Catalog,
    report: StageReport | None = None,
) -> BuiltEpisode:
    """Render one parsed episode and record it; nothing appears under a final name until it is complete."""
    started = time.monotonic()
    stage = report or (lambda _stage, _fraction: None)
    episodes_dir = config.output_dir / "episodes"
    episodes_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{episode.number:04d}-", dir=episodes_dir))
    try:
        made = produce(config, episode, tools, work, stage)
        narration, track = made.narration, made.track

        stage("finish", 0.0)
        made.painter.cover(episode, *COVER_SIZE).save(work / "cover.jpg", quality=90)
        (work / "subtitles.srt").write_text(format_srt(track), encoding="utf-8")
        (work / "subtitles.vtt").write_text(format_vtt(track), encoding="utf-8")
        inputs = input_digests(config, episode, tools)
        digest = input_hash(inputs)
        manifest = make_manifest(config, episode, made, inputs, digest)

        folder = episode_folder(config, episode)
        folder.mkdir(parents=True, exist_ok=True)
        number = f"{episode.number:04d}"
        outputs = {
            "cover": (work / "cover.jpg", folder / "cover.jpg"),
            "subtitles": (work / "subtitles.srt", folder / f"{number}.srt"),
            "webvtt": (work / "subtitles.vtt", folder / f"{number}.vtt"),
            "video": (made.video, folder / f"{number}.mp4"),
        }
        for temporary, final in outputs.values():
            commit(temporary, final)
        # The manifest goes last: its presence says the folder is complete.
        manifest_path = folder / "manifest.json"
        atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

        root = config.root
        catalog.record(
            CatalogRow(
                number=episode.number,
                title=episode.title,
                topic=episode.topic,
                laws=episode.laws,
                tags=episode.tags,
                duration=round(narration.duration, 3),
                script=relative(episode.path, root),
                video=relative(outputs["video"][1], root),
                subtitles=relative(outputs["subtitles"][1], root),
                cover=relative(outputs["cover"][1], root),
                manifest=relative(manifest_path, root),
                # Review is the catalog's: a build is a draft until approved (an unchanged rebuild stays approved).
                status="draft",
                input_hash=digest,
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                voice_engine=narration.engine,
                voice=narration.voice,
                draft_voice=tools.voice.draft_voice,
                aigc=made.label.to_json() if made.label else "",
                ai_notice=config.compliance.notice_text if made.label else "",
            )
        )
        stage("finish", 1.0)
        return BuiltEpisode(
            number=episode.number,
            title=episode.title,
            folder=folder,
            video=outputs["video"][1],
            subtitles=outputs["subtitles"][1],
            cover=outputs["cover"][1],
            manifest=manifest_path,
            duration=narration.duration,
            seconds=time.monotonic() - started,
            synthesised_scenes=made.synthesised_scenes,
            recordings=made.recordings,
        )
    except OSError as exc:
        # Writers deep inside (wave, numpy, Pillow) say ENOSPC without a file name: the work folder is the place.
        raise disk_error(exc, Path(exc.filename or work)) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_manifest(
    config: Config,
    episode: Episode,
    made: Production,
    inputs: dict[str, object],
    digest: str,
) -> dict[str, object]:
    root = config.root
    narration, track, render, settings = made.narration, made.track, made.render, made.settings
    return {
        "episode": episode.number,
        "title": episode.title,
        "topic": episode.topic,
        "laws": list(episode.laws),
        "tags": list(episode.tags),
        "script": relative(episode.path, root),
        "duration": round(track.duration, 3),
        "video": {"width": render.width, "height": render.height, "fps": render.fps, "frames": render.total_frames},
        "voice": {
            "engine": narration.engine,
            "engine_version": narration.engine_version,
            "voice": narration.voice,
            "rate": settings.rate,
            "volume": settings.volume,
            "pitch": settings.pitch,
            "draft_voice": narration.engine == "espeak",
            "timing_notes": list(narration.notes),
            # The audio cache keys of what was spoken: a cluster build ships these recordings to the worker.
            "recordings": list(made.recordings),
        },
        "sound": {
            "music": made.mix.music,
            "loudness": {
                "integrated_lufs": made.mix.loudness.integrated,
                "true_peak_dbtp": made.mix.loudness.true_peak,
                "range_lu": made.mix.loudness.range,
            },
        },
        "title_card": {"start": 0.0, "end": round(track.title_end_frame / track.fps, 3)},
        "scenes": [
            {
                "index": span.index + 1,
                "label": span.label,
                "start": round(span.first_frame / track.fps, 3),
                "end": round(span.end_frame / track.fps, 3),
                "image": optional_relative(episode.scenes[span.index].image, root),
            }
            for span in track.scenes
        ],
        "closing_card": {"start": round(track.closing_first_frame / track.fps, 3), "end": round(track.duration, 3)},
        "captions": [
            {
                "index": cue.index,
                "scene": cue.scene + 1,
                "kind": cue.kind,
                "start": round(cue.start, 3),
                "end": round(cue.end, 3),
                "text": cue.text,
                "spoken": cue.spoken,
            }
            for cue in track.cues
        ],
        "screen_states": render.distinct,
        "ai_label": ai_label_manifest(config, made, track),
        "inputs": inputs,
        "input_hash": digest,
        "pipeline_version": __version__,
    }


def ai_label_manifest(config: Config, made: Production, track: CaptionTrack) -> dict[str, object]:
    """What the manifest records of the AI-content labels (empty of labels when compliance.ai_generated is false)."""
    compliance = config.compliance
    if made.label is None:
        return {"ai_generated": False}
    return {
        "ai_generated": True,
        "aigc": made.label.as_dict(),
        "opening_notice": {
            **(made.notice.as_json() if made.notice else {}),
            "start": 0.0,
            "end": round(track.title_end_frame / track.fps, 3),
        },
        "corner_notice": compliance.corner_text if compliance.corner_notice else None,
        "spoken_notice": compliance.notice_text if compliance.spoken_notice else None,
    }


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def optional_relative(path: Path | None, root: Path) -> str | None:
    return None if path is None else relative(path, root)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest_file(path: Path) -> str:
    stat = path.stat()
    return _digest_file_version(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _digest_file_version(path: str, _mtime_ns: int, _size: int) -> str:
    """Pictures and music are shared by many episodes: each version of a file is hashed once per process."""
    return file_digest(Path(path))
