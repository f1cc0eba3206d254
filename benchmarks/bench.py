"""pufa's render benchmark: run with ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``).

Prints one table. Every figure is measured in this run, on this machine:

- final render of a standard 60-second episode (narration from the audio cache): wall time
  and peak memory (the Python process and, separately, its largest child, ffmpeg);
- the limit: ffmpeg alone encoding the same distinct frames, held for the same durations,
  at the same size, frame rate and x264 settings; render time / limit;
- the naive baseline: the same episode the common way, a moviepy CompositeVideoClip with a
  TextClip per caption over the background; baseline time / render time;
- the Kokoro voice: a build worker rendering the standard episode with Kokoro on one thread
  from an empty audio cache: model load time, real-time factor of the synthesis, peak memory;
- draft preview (540x960) as a multiple of real time;
- peak memory rendering a 3-minute episode;
- no-op rebuild cost per episode over a library of 200 built episodes, and planning time
  for 1,300 scripts;
- the same batch of eight 60-second episodes built with ``--jobs 2`` and on a Dask cluster of
  two local worker processes (``--cluster local:2``): the cluster's overhead as a ratio, and
  the coordinator's own time per episode (preparing tasks, committing results), from which
  the wall time of 1,300 episodes on 4 and 16 two-core worker PCs is estimated.

Each render runs in a fresh process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BATCH = 8
CATALOGUE = 1300
sys.path.insert(0, str(REPO))

from pipeline.build import build  # noqa: E402
from pipeline.catalog import Catalog  # noqa: E402
from pipeline.config import Config, load_config  # noqa: E402
from pipeline.plan import plan_build  # noqa: E402
from pipeline.render import Tools, render_episode  # noqa: E402
from pipeline.script import Episode, parse_script  # noqa: E402

SENTENCES = [
    "大家好，欢迎收看抚宁普法小讲堂。",
    "今天我们来聊一聊高空抛物这件事。",
    "二〇二三年夏天，某小区居民王某嫌下楼扔垃圾麻烦，随手把一袋垃圾从十二楼的窗口扔了下去。",
    "垃圾正好砸中楼下停放的一辆轿车，车顶被砸出一个大坑。",
    "车主报警后，王某赔偿了全部修车费用，还受到了处罚。",
    "高空抛物不是小事，一个小小的举动，可能毁掉别人的一生。",
    "也会让自己承担法律责任。请大家管好自己的手，守护头顶上的安全。",
]
LAW = "> 《中华人民共和国民法典》第一千二百五十四条规定：禁止从建筑物中抛掷物品。从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的，由侵权人依法承担侵权责任。"


def episode_script(number: int, seconds: int) -> str:
    """A script of about ``seconds`` of narration: scenes of narration, a law card and a picture."""
    scenes = ["## 开场\n" + SENTENCES[0] + SENTENCES[1], "## 法条\n" + LAW]
    body_chars = max(seconds * 4 - 120, 40)
    case, index = [], 2
    while sum(map(len, case)) < body_chars:
        case.append(SENTENCES[2 + index % (len(SENTENCES) - 2)])
        index += 1
    for start in range(0, len(case), 4):
        picture = "![楼](../assets/images/building.jpg)\n" if start == 0 else ""
        scenes.append(f"## 案例{start // 4 + 1}\n{picture}" + "".join(case[start : start + 4]))
    front = f"---\nepisode: {number}\ntitle: 高空抛物，后果很严重\ntopic: 民法典\nlaws:\n  - 《中华人民共和国民法典》第一千二百五十四条\n---\n"
    return front + "\n\n".join(scenes) + "\n"


def make_project(root: Path, video: str = "", music: bool = True, engine: str = "espeak") -> Path:
    """A project like the series': an offline voice, the series music, the example picture."""
    (root / "scripts").mkdir(parents=True)
    (root / "assets" / "images").mkdir(parents=True)
    (root / "assets" / "music").mkdir(parents=True)
    shutil.copy(REPO / "assets" / "images" / "building.jpg", root / "assets" / "images" / "building.jpg")
    shutil.copy(REPO / "assets" / "music" / "gentle-steps.m4a", root / "assets" / "music" / "gentle-steps.m4a")
    sound = '\n[sound]\nmusic = "assets/music/gentle-steps.m4a"\n' if music else ""
    (root / "pufa.toml").write_text(f'[voice]\nengine = "{engine}"\n{video}{sound}', encoding="utf-8")
    return root


REPEATS = 2  # measured runs of each render and of the limit; the faster counts


def warm_render(
    folder: Path, video: str = "", *, seconds: int = 60, number: int = 1260, keep: Path | None = None
) -> dict[str, float]:
    """A project in ``folder`` with one script of ``seconds``, rendered twice in fresh processes.

    The first render fills the audio cache; the next ``REPEATS``, measured, read their narration
    from it (and with ``keep`` leave the distinct frames there for the limit and the baseline);
    the fastest is returned.
    """
    project = make_project(folder, video)
    script = project / "scripts" / f"{number}-bench.md"
    script.write_text(episode_script(number, seconds), encoding="utf-8")
    child(["render", str(project), str(script)])
    # The faster of two measured runs: on a shared PC a single run varies by a tenth or more.
    runs = [child(["render", str(project), str(script), *([str(keep)] if keep else [])]) for _ in range(REPEATS)]
    return min(runs, key=lambda run: run["seconds"])


def child(args: list[str]) -> dict[str, float]:
    """Run one measurement in a fresh process; it prints a JSON object."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench: the '{args[0]}' measurement failed (exit status {done.returncode}); see above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and every process it has waited for, ffmpeg's included."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak() -> tuple[float, float]:
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


class TogetherPeak:
    """The largest resident memory (MB) of this process and all its children at the same moment.

    ``peak()`` gives each process's own peak, which may fall at different times; this samples
    the whole tree every 100 ms (psutil, a dependency of Dask), so it is what the PC must hold.
    """

    def __init__(self) -> None:
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # it ended between the listing and the reading
                    total += process.memory_info().rss
            self.mb = max(self.mb, total / 2**20)

    def __enter__(self) -> TogetherPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_render(config: Config, tools: Tools, script: Path) -> tuple[Episode, dict[str, float]]:
    """Render ``script``: the episode, its render time and video length (s), and peak memory (MB).

    ``together_mb`` is the render's peak as the PC holds it (Python and ffmpeg at once);
    ``python_mb`` and ``ffmpeg_mb`` are each process's own peak.
    """
    episode = parse_script(script, tools.font.missing)
    started, cpu = time.perf_counter(), cpu_seconds()
    with Catalog(config.catalog_path) as catalog, TogetherPeak() as together:
        built = render_episode(config, episode, tools, catalog)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    python_mb, ffmpeg_mb = peak()
    return episode, {
        "seconds": seconds,
        "cpu": cpu,
        "duration": built.duration,
        "python_mb": python_mb,
        "ffmpeg_mb": ffmpeg_mb,
        "together_mb": together.mb,
    }


def child_render(project: Path, script: Path, keep: Path | None) -> dict[str, float]:
    config = load_config(project)
    tools = Tools.load(config, "espeak")
    episode, measured = timed_render(config, tools, script)
    if keep is not None:
        keep_states(config, episode, tools, keep)
    return measured


def child_kokoro(project: Path, script: Path) -> dict[str, float]:
    """A build worker that speaks with Kokoro (one thread) from an empty audio cache, as on a PC without internet."""
    from pipeline.speech import kokoro
    from pipeline.speech.base import Utterance, VoiceSettings

    config = load_config(project)
    started, cpu = time.perf_counter(), time.process_time()
    tools = Tools.load(config, "kokoro")
    kokoro._model(config.voice.threads).frontend("你好")  # as the first scene does: check, load model and dictionaries
    load, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    engine = tools.voice.engine.engine
    speak = engine.speak
    spent = {"seconds": 0.0, "cpu": 0.0, "audio": 0.0}

    def timed(pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        began, cpu = time.perf_counter(), time.process_time()
        utterance = speak(pieces, settings)
        spent["seconds"] += time.perf_counter() - began
        spent["cpu"] += time.process_time() - cpu
        spent["audio"] += utterance.duration
        return utterance

    engine.speak = timed  # type: ignore[method-assign]
    _, measured = timed_render(config, tools, script)
    return {
        "load": load,
        "load_cpu": load_cpu,
        "synthesis": spent["seconds"],
        "synthesis_cpu": spent["cpu"],
        "speech": spent["audio"],
        **measured,
    }


def kokoro_rows(base: Path) -> list[tuple[str, str, str]]:
    from pipeline.speech import kokoro

    if not kokoro.model_path().is_file():
        kokoro.assemble_model(kokoro.model_path())  # once per machine, done by the first build; not timed here
    project = make_project(base / "kokoro", engine="kokoro")
    script = project / "scripts" / "1260-bench.md"
    script.write_text(episode_script(1260, 60), encoding="utf-8")
    voiced = child(["kokoro", str(project), str(script)])
    return [
        ("Kokoro voice, 1 thread: model load", f"{voiced['load']:.1f} s ({voiced['load_cpu']:.1f} s CPU)", ""),
        (
            "  synthesis of the standard episode",
            f"{voiced['synthesis']:.1f} s for {voiced['speech']:.1f} s of speech, "
            f"real-time factor {voiced['synthesis'] / voiced['speech']:.2f}",
            "target <= 1.0",
        ),
        (
            "  the same in CPU time (one free core)",
            f"{voiced['synthesis_cpu']:.1f} s, real-time factor {voiced['synthesis_cpu'] / voiced['speech']:.2f}",
            "",
        ),
        (
            "  whole render from an empty audio cache",
            f"{voiced['seconds']:.1f} s for {voiced['duration']:.1f} s of video",
            "",
        ),
        (
            # ffmpeg's own peak is the render's above: a child forked from this larger process
            # is counted at the parent's size before it runs ffmpeg, so it is not shown here.
            "  peak memory of that worker",
            f"{voiced['python_mb']:.0f} MB",
            "target < 900 MB",
        ),
    ]


def keep_states(config: object, episode: object, tools: Tools, folder: Path) -> None:
    """The same distinct frames and narration the render used, left on disk for the limit and the baseline."""
    from pipeline.captions.split import plan_captions
    from pipeline.captions.track import time_captions
    from pipeline.picture.frames import Painter, render_states
    from pipeline.render import voice_settings
    from pipeline.speech.narration import narrate

    assert hasattr(config, "video")
    cfg = config  # type: ignore[assignment]
    folder.mkdir(parents=True, exist_ok=True)
    from pipeline.picture.fonts import resolve_bold_font
    from pipeline.picture.layout import Layout, caption_measure

    layout = Layout(cfg, tools.font, resolve_bold_font(cfg), cfg.video.width, cfg.video.height)  # type: ignore[arg-type]
    plan = plan_captions(episode, caption_measure(layout), layout.caption_width(), 2, tools.speak)  # type: ignore[arg-type]
    narration = narrate(
        episode,  # type: ignore[arg-type]
        plan,
        tools.voice.engine,
        settings=voice_settings(cfg, episode, tools.voice),  # type: ignore[arg-type]
        fps=cfg.video.fps,
        title_seconds=cfg.video.title_seconds,
        closing_seconds=cfg.video.closing_seconds,
        audio_path=folder / "narration.wav",
    )
    track = time_captions(episode, plan, narration, cfg.video.fps, words=cfg.captions.highlight == "word")  # type: ignore[arg-type]
    from pipeline.media.sound import mix
    from pipeline.render import music_for

    mix(
        narration.audio_path,
        narration.pieces,
        folder / "mix.wav",
        music=music_for(cfg, episode),  # type: ignore[arg-type]
        music_level_db=cfg.sound.music_level_db,
    )
    painter = Painter(cfg, tools.font, cfg.video.width, cfg.video.height)  # type: ignore[arg-type]
    (folder / "states").mkdir(exist_ok=True)
    render = render_states(episode, track, painter, folder / "states")  # type: ignore[arg-type]
    import pickle

    with (folder / "plan.pickle").open("wb") as handle:
        pickle.dump({"render": render, "track": track, "duration": narration.duration}, handle)


def child_limit(folder: Path) -> dict[str, float]:
    import pickle

    from pipeline.media.encode import EncodeSettings, encode

    with (folder / "plan.pickle").open("rb") as handle:
        saved = pickle.load(handle)
    started, cpu = time.perf_counter(), cpu_seconds()
    encode(saved["render"], folder / "mix.wav", folder / "limit.mp4", EncodeSettings(), label="limit")
    return {"seconds": time.perf_counter() - started, "cpu": cpu_seconds() - cpu}


def child_baseline(project: Path, folder: Path) -> dict[str, float]:
    """The common way: a moviepy composite, one TextClip per caption, over the background, every frame."""
    import pickle

    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip

    from pipeline.picture.fonts import bundled_font_path

    with (folder / "plan.pickle").open("rb") as handle:
        saved = pickle.load(handle)
    render, track = saved["render"], saved["track"]
    fps = track.fps
    started = time.perf_counter()
    # The background without captions: the caption-free state of each stretch of the timeline.
    backgrounds = []
    for state in render.states:
        if state.key[0] == "scene" and state.key[3] != 0:
            continue
        first, end = state.first_frame / fps, state.end_frame / fps
        backgrounds.append(ImageClip(str(state.path)).with_start(first).with_duration(end - first))
    texts = [
        TextClip(
            font=str(bundled_font_path()),
            text=cue.text,
            font_size=52,
            color="white",
            stroke_color="black",
            stroke_width=4,
            method="label",
            text_align="center",
        )
        .with_start(cue.start)
        .with_duration(cue.end - cue.start)
        .with_position(("center", 1440))
        for cue in track.cues
    ]
    video = CompositeVideoClip([*backgrounds, *texts], size=(render.width, render.height)).with_duration(track.duration)
    video = video.with_audio(AudioFileClip(str(folder / "mix.wav")))
    video.write_videofile(
        str(folder / "baseline.mp4"),
        fps=fps,
        codec="libx264",
        preset="veryfast",
        audio_codec="aac",
        ffmpeg_params=["-crf", "20", "-pix_fmt", "yuv420p"],
        logger=None,
    )
    return {"seconds": time.perf_counter() - started}


def child_plan(project: Path) -> dict[str, float]:
    started = time.perf_counter()
    plan, _ = plan_build(load_config(project))
    return {"seconds": time.perf_counter() - started, "episodes": len(plan.episodes), "to_build": len(plan.to_build)}


def child_noop(project: Path) -> dict[str, float]:
    started = time.perf_counter()
    report = build(load_config(project), jobs=1)
    return {"seconds": time.perf_counter() - started, "skipped": len(report.skipped), "built": len(report.built)}


def child_batch(project: Path, mode: str) -> dict[str, float]:
    """The whole batch forced through one build: ``jobs`` (two processes) or ``cluster`` (local:2)."""
    from pipeline.catalog import export
    from pipeline.cluster.coordinator import ClusterStats, run_on_cluster
    from pipeline.progress import PlainProgress

    # Dask's worker processes import this checkout's pufa too.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    config = load_config(project)
    started, cpu = time.perf_counter(), cpu_seconds()
    if mode == "jobs":
        report = build(config, force=True, jobs=2)
        assert report.ok and len(report.built) == BATCH, report
        return {
            "seconds": time.perf_counter() - started,
            "cpu": cpu_seconds() - cpu,
            "render": sum(b.seconds for b in report.built) / BATCH,
        }
    # What `pufa build --cluster local:2 --force` does, with the coordinator's own time counted.
    # The recordings travel with the tasks as they would to other PCs (local workers share the
    # cache and need none), so the coordinator's time is what a real cluster costs it.
    plan, tools = plan_build(config, force=True)
    assert tools is not None
    stats = ClusterStats()
    outcomes = run_on_cluster(
        config,
        plan,
        tools,
        "local:2",
        fail_fast=False,
        report=PlainProgress(lambda _line: None),
        stats=stats,
        ship_audio=True,
    )
    with Catalog(config.catalog_path) as catalog:
        export(catalog, config.output_dir)
    assert all(o.built for o in outcomes) and len(outcomes) == BATCH, outcomes
    sizes = [p.stat().st_size for p in (project / "output" / "episodes").rglob("*.mp4")]
    return {
        "seconds": time.perf_counter() - started,
        # The worker processes have exited (the LocalCluster is closed): their CPU time is counted.
        "cpu": cpu_seconds() - cpu,
        "render": sum(o.built.seconds for o in outcomes if o.built) / BATCH,
        "coordinator": stats.per_episode,
        "episode_mb": sum(sizes) / len(sizes) / 1e6,
    }


def warm_cache(project: Path) -> None:
    """Speak every scene of the batch once, so both measured builds read the narration from the audio cache."""
    from pipeline.render import caption_plan, voice_settings

    config = load_config(project)
    tools = Tools.load(config, "espeak")
    for script in sorted((project / "scripts").glob("*.md")):
        episode = parse_script(script, tools.font.missing)
        settings = voice_settings(config, episode, tools.voice)
        for captions in caption_plan(config, episode, tools).scenes:
            tools.voice.engine.speak([c.text.spoken for c in captions], settings)


def cluster_rows(base: Path) -> list[tuple[str, str, str]]:
    batch = make_project(base / "batch")
    for number in range(1, BATCH + 1):
        (batch / "scripts" / f"{number:04d}.md").write_text(episode_script(number, 60), encoding="utf-8")
    warm_cache(batch)
    jobs = child(["batch", str(batch), "jobs"])
    cluster = child(["batch", str(batch), "cluster"])
    ratio = cluster["seconds"] / jobs["seconds"]
    # A two-core worker PC renders two episodes at a time, as local:2 does here.
    per_pair = cluster["seconds"] / (BATCH / 2)
    rows = [
        (f"{BATCH} x 60 s episodes, --jobs 2", f"{jobs['seconds']:.1f} s", ""),
        (f"{BATCH} x 60 s episodes, --cluster local:2", f"{cluster['seconds']:.1f} s", ""),
        ("cluster / jobs", f"{ratio:.2f}x", "target <= 1.15x"),
        ("  CPU time of the whole batch, cluster / jobs", f"{cluster['cpu'] / jobs['cpu']:.2f}x", ""),
        (
            "  one episode's render, jobs / cluster worker",
            f"{jobs['render']:.1f} s / {cluster['render']:.1f} s",
            "",
        ),
        ("coordinator time per episode", f"{cluster['coordinator'] * 1000:.0f} ms", ""),
        ("finished files sent back per episode", f"{cluster['episode_mb']:.1f} MB", ""),
    ]
    for pcs in (4, 16):
        render_bound = CATALOGUE * per_pair / (2 * pcs)
        coordinator_bound = CATALOGUE * cluster["coordinator"]
        hours = max(render_bound, coordinator_bound) / 3600
        rows.append((f"estimate: {CATALOGUE} episodes on {pcs} two-core PCs", f"{hours:.1f} h", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--library", type=int, default=200, help="built episodes for the no-op rebuild (default 200)")
    parser.add_argument("--scripts", type=int, default=1300, help="scripts for the planning time (default 1300)")
    parser.add_argument("--cluster-only", action="store_true", help="measure only --jobs 2 against --cluster local:2")
    parser.add_argument("--voice-only", action="store_true", help="measure only the Kokoro voice")
    parser.add_argument(
        "--look-only", action="store_true", help="measure only the renders: limit, baseline, word highlight, memory"
    )
    options = parser.parse_args()
    if options.child:
        kind, *rest = options.child
        paths = [Path(p) for p in rest]
        runners = {
            "render": lambda: child_render(paths[0], paths[1], paths[2] if len(paths) > 2 else None),
            "kokoro": lambda: child_kokoro(paths[0], paths[1]),
            "limit": lambda: child_limit(paths[0]),
            "baseline": lambda: child_baseline(paths[0], paths[1]),
            "plan": lambda: child_plan(paths[0]),
            "noop": lambda: child_noop(paths[0]),
            "batch": lambda: child_batch(paths[0], rest[1]),
        }
        print(json.dumps(runners[kind]()))
        return

    with tempfile.TemporaryDirectory(prefix="pufa-bench-") as temporary:
        base = Path(temporary)
        from pipeline.speech.cache import cache_root

        models = cache_root() / "models"  # the joined model is kept per machine: reuse it, not join it again
        os.environ["PUFA_CACHE_DIR"] = str(base / "cache")
        if models.is_dir():
            shutil.copytree(models, cache_root() / "models")
        if options.cluster_only:
            print_rows(cluster_rows(base))
            return
        rows = Rows([] if options.look_only else kokoro_rows(base))
        if options.voice_only:
            print_rows(rows)
            return

        final = warm_render(base / "final", keep=base / "states")
        limit = min((child(["limit", str(base / "states")]) for _ in range(REPEATS)), key=lambda run: run["seconds"])
        # The baseline draws still pictures and cuts, so it is set against pufa's render of that look.
        still = '\n[theme]\nmotion = "none"\ntransition = "none"\n'
        still_render = warm_render(base / "still", still, keep=base / "still-states")
        baseline = child(["baseline", str(base / "still"), str(base / "still-states")])
        rows.append(
            (
                "final render, 60 s episode (1080x1920)",
                f"{final['seconds']:.1f} s for {final['duration']:.1f} s of video",
                "",
            )
        )
        rows.append(
            (
                "  peak memory (Python and ffmpeg at once)",
                f"{final['together_mb']:.0f} MB (own peaks: Python {final['python_mb']:.0f}, ffmpeg {final['ffmpeg_mb']:.0f})",
                "",
            )
        )
        rows.append(("limit: ffmpeg alone, same frames and settings", f"{limit['seconds']:.1f} s", ""))
        rows.append(
            (
                "render / limit",
                f"{final['seconds'] / limit['seconds']:.2f}x (CPU time {final['cpu'] / limit['cpu']:.2f}x)",
                "target <= 1.3x",
            )
        )
        rows.append(
            (
                "  the same without motion and transitions",
                f"{still_render['seconds']:.1f} s (with them {final['seconds'] / still_render['seconds'] - 1:+.0%})",
                "",
            )
        )
        rows.append(("naive moviepy baseline, still look (TextClip per caption)", f"{baseline['seconds']:.1f} s", ""))
        rows.append(
            (
                "baseline / render of the same still look",
                f"{baseline['seconds'] / still_render['seconds']:.1f}x",
                "target >= 8x",
            )
        )

        highlighted = warm_render(base / "words", '\n[captions]\nhighlight = "word"\n')
        rows.append(
            (
                '  the same with captions.highlight = "word"',
                f"{highlighted['seconds']:.1f} s ({highlighted['seconds'] / final['seconds'] - 1:+.0%})",
                "target <= +25%",
            )
        )

        # A draft as pufa preview makes it: 540x960, ultrafast, pictures still and cuts.
        preview = warm_render(
            base / "draft",
            '\n[video]\nwidth = 540\nheight = 960\npreset = "ultrafast"\ncrf = 28\n'
            '\n[theme]\nmotion = "none"\ntransition = "none"\n',
        )
        rows.append(
            ("draft preview (540x960)", f"{preview['duration'] / preview['seconds']:.1f}x real time", "target >= 10x")
        )

        long = warm_render(base / "long", seconds=180, number=1261)
        rows.append(
            (
                f"peak memory, {long['duration']:.0f} s episode, default look (Python and ffmpeg at once)",
                f"{long['together_mb']:.0f} MB (own peaks: Python {long['python_mb']:.0f}, ffmpeg {long['ffmpeg_mb']:.0f})",
                "target < 600 MB",
            )
        )

        if options.look_only:
            print_rows(rows)
            return
        library = make_project(
            base / "library",
            # The title card carries the AI notice, which must stay 2 s (compliance.notice_seconds).
            video='\n[video]\nwidth = 240\nheight = 426\npreset = "ultrafast"\ntitle_seconds = 2.0\nclosing_seconds = 0.5\n',
        )
        for number in range(1, options.library + 1):
            (library / "scripts" / f"{number:04d}.md").write_text(
                f"---\nepisode: {number}\ntitle: 第{number}期\ntopic: 民法典\n---\n## 开场\n大家好。\n",
                encoding="utf-8",
            )
        build(load_config(library), jobs=os.cpu_count() or 1)
        noop = child(["noop", str(library)])
        assert noop["skipped"] == options.library and noop["built"] == 0, noop
        rows.append(
            (
                f"no-op rebuild, {options.library} built episodes",
                f"{noop['seconds'] / options.library * 1000:.1f} ms per episode",
                "target < 20 ms",
            )
        )

        planning = make_project(base / "planning")
        for number in range(1, options.scripts + 1):
            (planning / "scripts" / f"{number:04d}.md").write_text(episode_script(number, 90), encoding="utf-8")
        planned = child(["plan", str(planning)])
        rows.append((f"planning {options.scripts} scripts", f"{planned['seconds']:.2f} s", "target < 5 s"))
        rows += cluster_rows(base)
    print_rows(rows)


class Rows(list[tuple[str, str, str]]):
    """The table's rows; each is also written to stderr as it is measured, so a later failure loses none."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self += rows

    def append(self, row: tuple[str, str, str]) -> None:
        super().append(row)
        print(f"measured: {row[0]}: {row[1]}", file=sys.stderr, flush=True)

    def __iadd__(self, rows: object) -> Rows:  # type: ignore[override]
        for row in rows:  # type: ignore[attr-defined]
            self.append(row)
        return self


def print_rows(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"pufa benchmark on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {target}")


if __name__ == "__main__":
    main()
