"""Engine choice with no network, the audio cache, and `pufa say`."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import plan as plan_module
from pipeline.build import build
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.speech.base import VoiceSettings
from pipeline.speech.edge import EdgeEngine
from pipeline.speech.engines import CachedEngine, EngineChoice, choose_engine
from pipeline.speech.espeak import EspeakEngine
from pipeline.speech.kokoro import KokoroEngine
from tests.conftest import ScriptWriter
from tests.edge_replay import Replay

TWO_SCENES = "---\nepisode: 4\ntitle: 缓存\ntopic: 刑法\n---\n## 开场\n大家好。\n## 结尾\n{ending}\n"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No way to the service: its proxy is a closed port on this machine."""
    monkeypatch.setenv("PUFA_EDGE_PROXY", "http://127.0.0.1:9")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("offline")
def test_tts_edge_without_network_fails_in_one_clear_line(project: Path, write_script: ScriptWriter) -> None:
    write_script("0004-cache.md", TWO_SCENES.format(ending="再见。"))
    code, out, err = invoke("--project", str(project), "build", "--tts", "edge")
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"{project / 'scripts' / '0004-cache.md'}: error: episode 4, scene '开场': edge-tts unreachable after 3 tries ("
    )
    assert lines[0].endswith("); build with --tts espeak for a draft")
    assert out.splitlines()[-1].startswith("built 0, skipped 0, failed 1 in ")


@pytest.mark.usefixtures("offline")
def test_auto_without_network_builds_with_kokoro_and_not_as_draft(project: Path, write_script: ScriptWriter) -> None:
    write_script("0004-cache.md", TWO_SCENES.format(ending="再见。"))
    code, out, err = invoke("--project", str(project), "build", "--tts", "auto")
    assert code == 0, err
    assert "warning: edge-tts is unreachable; speaking with the offline voice Kokoro" in out
    manifest = json.loads(next((project / "output" / "episodes").glob("*/manifest.json")).read_text(encoding="utf-8"))
    assert (manifest["voice"]["engine"], manifest["voice"]["voice"], manifest["voice"]["draft_voice"]) == (
        "kokoro",
        "zm_yunxi",
        False,
    )
    code, table, _ = invoke("--project", str(project), "catalog")
    assert "kokoro/zm_yunxi" in table and "(draft voice)" not in table
    code, rows, _ = invoke("--project", str(project), "catalog", "--format", "json")
    assert json.loads(rows)[0]["draft_voice"] is False


@pytest.mark.usefixtures("offline")
def test_auto_resolves_to_kokoro_when_unreachable() -> None:
    choice = choose_engine("auto")
    assert choice.engine.name == "kokoro" and not choice.draft_voice and choice.warning


@pytest.mark.usefixtures("offline")
def test_auto_falls_back_to_espeak_as_draft_without_kokoro(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.speech import kokoro

    monkeypatch.setattr(kokoro, "available", lambda: False)
    choice = choose_engine("auto")
    assert choice.engine.name == "espeak" and choice.draft_voice
    assert choice.warning == (
        "edge-tts is unreachable and the Kokoro voice is not installed; speaking with eSpeak NG "
        "(episodes are marked draft voice)"
    )


def test_unchanged_rebuild_synthesises_nothing_and_an_edited_scene_only_itself(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = CachedEngine(EspeakEngine(), tmp_path / "cache")
    monkeypatch.setattr(plan_module, "choose_engine", lambda _name, **_options: EngineChoice(engine))
    script = write_script("0004-cache.md", TWO_SCENES.format(ending="再见。"))
    config = load_config(project)
    first = build(config)
    assert first.built[0].synthesised_scenes == 2 and (engine.misses, engine.hits) == (2, 0)
    again = build(config, force=True)
    assert again.built[0].synthesised_scenes == 0, "an unchanged rebuild performs no synthesis"
    assert (engine.misses, engine.hits) == (2, 2)
    script.write_text(TWO_SCENES.format(ending="下期再见。"), encoding="utf-8")
    edited = build(config)
    assert edited.built[0].synthesised_scenes == 1, "editing one scene synthesises only that scene"
    assert (engine.misses, engine.hits) == (3, 3)


def test_a_cache_hit_needs_no_network(tmp_path: Path) -> None:
    recorded = CachedEngine(EdgeEngine(Replay("scene.jsonl")), tmp_path)
    pieces = ["大家好，今天讲高空抛物。", "禁止从建筑物中抛掷物品。", "有困难，请拨打幺二三四八。"]
    first = recorded.speak(pieces, VoiceSettings("zh-CN-YunxiNeural"))
    unreachable = CachedEngine(EdgeEngine(Replay("forbidden.jsonl"), sleep=lambda _s: None), tmp_path)
    again = unreachable.speak(pieces, VoiceSettings("zh-CN-YunxiNeural"))
    assert (unreachable.hits, unreachable.misses) == (1, 0)
    assert again.pieces == first.pieces and (again.samples == first.samples).all()


def test_cache_key_covers_voice_settings_and_text(tmp_path: Path) -> None:
    engine = CachedEngine(EspeakEngine(), tmp_path)
    base = engine.key(["你好。"], VoiceSettings("cmn"))
    assert base != engine.key(["你好！"], VoiceSettings("cmn"))
    assert base != engine.key(["你好。"], VoiceSettings("cmn", rate=1.2))
    assert base == engine.key(["你好。"], VoiceSettings("cmn"))


def test_cache_clear_and_info(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path))
    CachedEngine(EspeakEngine()).speak(["你好。"], VoiceSettings("cmn"))
    code, out, _ = invoke("cache", "info")
    assert code == 0 and out.startswith(f"{tmp_path / 'audio'}: 1 recordings, ")
    code, out, _ = invoke("cache", "clear")
    assert code == 0 and out.startswith("removed 1 recordings (")
    assert not (tmp_path / "audio").exists()


def test_say_prints_the_spoken_form(project: Path) -> None:
    (project / "assets" / "lexicon.tsv").write_text("单县\t善县\n", encoding="utf-8")
    code, out, _ = invoke("--project", str(project), "say", "单县居民拨打{12348|幺二三四八}和110，依据第1254条")
    assert code == 0
    assert out == "善县居民拨打幺二三四八和幺幺零，依据第一千二百五十四条\n"


def test_say_can_write_a_wav(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "check.wav"
    code, out, err = invoke("--project", str(project), "say", "请拨打96110", "-o", str(target), "--tts", "espeak")
    assert code == 0, err
    assert out == "请拨打九六幺幺零\n"
    with wave.open(str(target)) as handle:
        assert handle.getframerate() == 22050 and handle.getnframes() / 22050 > 1.0
    assert f"wrote {target}" in err


def test_voice_per_series_and_per_episode(project: Path, write_script: ScriptWriter) -> None:
    from pipeline.render import voice_settings
    from pipeline.script import parse_script

    (project / "pufa.toml").write_text(
        '[voice]\nname = "zh-CN-XiaoxiaoNeural"\nrate = 1.2\nvolume = 0.9\npitch = -3\n', encoding="utf-8"
    )
    config = load_config(project)
    plain = parse_script(write_script("a.md", TWO_SCENES.format(ending="再见。")))
    own = parse_script(
        write_script("b.md", TWO_SCENES.format(ending="再见。").replace("topic:", "voice: zh-CN-YunyangNeural\ntopic:"))
    )
    edge = EngineChoice(CachedEngine(EdgeEngine(Replay("scene.jsonl"))))
    offline = EngineChoice(CachedEngine(EspeakEngine()))
    assert voice_settings(config, plain, edge) == VoiceSettings("zh-CN-XiaoxiaoNeural", 1.2, 0.9, -3)
    assert voice_settings(config, own, edge).voice == "zh-CN-YunyangNeural"
    assert voice_settings(config, own, offline).voice == "cmn", "the offline engine speaks with its own voice"
    kokoro = EngineChoice(CachedEngine(KokoroEngine()))
    assert voice_settings(config, own, kokoro) == VoiceSettings("zm_yunxi", 1.2, 0.9, -3), "an edge voice is not Kokoro's"
    mine = parse_script(
        write_script("c.md", TWO_SCENES.format(ending="再见。").replace("topic:", "voice: zf_xiaoxiao\ntopic:"))
    )
    assert voice_settings(config, mine, kokoro).voice == "zf_xiaoxiao"
    assert voice_settings(config, mine, edge).voice == "zh-CN-XiaoxiaoNeural", "a Kokoro voice is not edge's"


def test_edge_request_carries_rate_volume_and_pitch() -> None:
    from pipeline.speech.edge import _percent

    assert (_percent(1.2), _percent(0.9), _percent(1.0)) == ("+20%", "-10%", "+0%")
