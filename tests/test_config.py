from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipeline.config import Config, default_config_text, find_project, load_config, parse_config
from pipeline.errors import ConfigError


def test_defaults_when_the_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "pufa.toml").write_text("", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.series.name, config.series.producer, config.series.account) == (
        "抚宁普法小讲堂",
        "秦皇岛市抚宁区司法局",
        "抚宁司法",
    )
    assert (config.video.width, config.video.height, config.video.fps) == (1080, 1920, 30)
    assert (config.voice.engine, config.voice.name, config.voice.offline_name) == ("auto", "zh-CN-YunxiNeural", "cmn")
    assert (config.voice.rate, config.voice.volume, config.voice.pitch) == (1.0, 1.0, 0)


def test_values_override_defaults(tmp_path: Path) -> None:
    config = parse_config({"video": {"fps": 25}, "voice": {"rate": 1}, "theme": {"accent": "#112233"}}, tmp_path)
    assert config.video.fps == 25 and config.voice.rate == 1.0 and config.theme.accent == "#112233"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"video": {"fps": "30"}}, "'video.fps' must be a whole number, not '30'"),
        ({"video": {"fps": 500}}, "'video.fps' must be between 10 and 60, not 500"),
        (
            {"video": {"colour": 1}},
            "unknown key 'video.colour' (known: width, height, fps, crf, preset, title_seconds, closing_seconds, safe_area)",
        ),
        (
            {"music": {}},
            "unknown section [music] (known: series, video, theme, voice, captions, sound, review, build, compliance, publish)",
        ),
        ({"theme": {"accent": "red"}}, "'theme.accent' must be a colour like \"#1A2B3C\", not 'red'"),
        ({"voice": {"engine": "siri"}}, "'voice.engine' must be one of auto, edge, kokoro, espeak, not 'siri'"),
        (
            {"captions": {"band": "#000"}},
            "'captions.band' must be a colour with alpha like \"#00000099\" or \"\", not '#000'",
        ),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, tmp_path)
    assert str(caught.value) == f"{tmp_path / 'pufa.toml'}: {message}"


def test_malformed_toml_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pufa.toml").write_text("[video\nfps = 30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pufa.toml: .*line 1"):
        load_config(tmp_path)


def test_project_is_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pufa.toml").write_text("", encoding="utf-8")
    deep = tmp_path / "scripts" / "drafts"
    deep.mkdir(parents=True)
    assert find_project(deep) == tmp_path.resolve()


def test_no_project_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no pufa.toml in .* run 'pufa init DIR' or pass --project DIR"):
        find_project(tmp_path)


def test_init_text_documents_every_key_with_its_default(tmp_path: Path) -> None:
    text = default_config_text()
    config = parse_config(tomllib.loads(text), tmp_path)
    assert config == Config(root=tmp_path)
    assert "# Frames per second." in text
