"""``pufa export jianying``: the draft loads back with pyJianYingDraft, timed exactly as the manifest."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from pipeline.cli import main
from pipeline.export.jianying import draft_media, draft_tracks
from tests.conftest import Built


def us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def span(start: float, end: float) -> tuple[int, int]:
    return (us(start), us(end) - us(start))


def test_draft_matches_the_manifest(built: Built, tmp_path: Path) -> None:
    root = built.config.root
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "7", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / built.episode.folder.name
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))

    tracks = draft_tracks(folder)
    pictures = [manifest["title_card"], *manifest["scenes"], manifest["closing_card"]]
    assert tracks["画面"] == tuple(span(p["start"], p["end"]) for p in pictures)
    assert tracks["声音"] == ((0, us(manifest["duration"])),)
    assert tracks["字幕"] == tuple(span(c["start"], c["end"]) for c in manifest["captions"])
    law = [c for c in manifest["captions"] if c["kind"] == "law"]
    assert law, "the short script has a law card"
    assert tracks["法条"] == (span(law[0]["start"], law[-1]["end"]),)
    assert result.stdout == (
        f"draft: {folder} ({manifest['duration']:.1f} s; segments: 画面 {len(pictures)}, 声音 1, "
        f"字幕 {len(manifest['captions'])}, 法条 1)\n"
    )

    content = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    texts = [json.loads(t["content"])["text"] for t in content["materials"]["texts"]]
    assert texts[: len(manifest["captions"])] == [c["text"] for c in manifest["captions"]]
    assert texts[-1] == "".join(c["text"] for c in law)
    assert content["canvas_config"]["width"] == manifest["video"]["width"]

    media = draft_media(folder)
    assert len(media) == len(pictures) + 1
    for path in media:
        assert path.is_file() and path.is_relative_to(folder.resolve()), path
    sound = content["materials"]["audios"][0]
    assert sound["path"] == str(folder.resolve() / "materials" / "sound.m4a")
    assert abs(sound["duration"] - us(manifest["duration"])) < 50_000, "the whole mix, as long as the video"
    with Image.open(folder / "materials" / "title.png") as title:
        assert title.size == (manifest["video"]["width"], manifest["video"]["height"])


def test_an_episode_not_built_is_one_clear_error(built: Built, tmp_path: Path) -> None:
    root = built.config.root
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "99", "--to", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == "pufa: error: episode 99 is not in the catalog; build it first: pufa build --only 99\n"
