"""captions.highlight = "word": each word of a caption marked while it is said, from the voice's own timing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.captions.split import CaptionPlan, CaptionText, PlannedCaption
from pipeline.captions.track import highlight_units, time_captions, word_frames
from pipeline.config import load_config
from pipeline.picture.fonts import resolve_font
from pipeline.picture.frames import Painter
from pipeline.picture.layout import ShownCaption
from pipeline.script import parse_script
from pipeline.speech.base import Utterance, speakable
from pipeline.speech.edge import Boundary, align, word_times
from pipeline.speech.narration import Narration
from tests.conftest import make_project

CASES = Path(__file__).parent / "cases" / "scripts"


def units(line: str) -> list[str]:
    return [line[a:b] for a, b in highlight_units(line)]


def test_a_title_and_an_article_light_as_one_word() -> None:
    found = units("依据《中华人民共和国民法典》第一千二百五十四条规定，")
    assert "《中华人民共和国民法典》" in found
    assert "第一千二百五十四条规定，" in found or "第一千二百五十四条" in found
    assert "".join(found) == "依据《中华人民共和国民法典》第一千二百五十四条规定，"
    assert all(any(c.isalnum() for c in unit) for unit in found), "punctuation joins a word, never alone"


def test_a_title_broken_across_lines_lights_its_two_parts_together() -> None:
    lines = ("根据《中华人民共和国", "民法典》的规定")
    said = "根据中华人民共和国民法典的规定"
    times = tuple(1.0 + 0.2 * i for i in range(len(said)))
    found = word_frames(lines, said, times, 25, 25 + 4 * 25, 25)
    title_start = next(frame for row, a, b, frame in found if row == 0 and lines[0][a:b].startswith("《"))
    rest = next(frame for row, a, b, frame in found if row == 1 and lines[1][a:b].endswith("》"))
    assert rest == title_start


def plan_of(captions: list[tuple[tuple[str, ...], str]]) -> CaptionPlan:
    texts = [CaptionText(lines, spoken, "", lines if len(lines) > 1 else ()) for lines, spoken in captions]
    return CaptionPlan((tuple(PlannedCaption(0, 0, "narration", t) for t in texts),))


CAPTIONS = [
    (("王某被罚款12800元",), "王某被罚款一万二千八百元"),
    (("依据《中华人民共和国民法典》", "第一千二百五十四条"), "依据中华人民共和国民法典第一千二百五十四条"),
    (("请大家管好自己的手",), "请大家管好自己的手"),
]


def narration(times: bool) -> Narration:
    pieces = ((1.0, 3.0), (3.2, 7.9), (8.4, 10.0))
    said = [speakable(spoken) for _lines, spoken in CAPTIONS]
    # Uneven like a real voice: the words of each piece said faster towards its end.
    per_piece = tuple(
        tuple(start + (end - start) * (i / len(text)) ** 1.3 for i in range(len(text)))
        for (start, end), text in zip(pieces, said, strict=True)
    )
    return Narration(
        Path("a.wav"), 22050, 11.5, ((0.5, 10.5),), pieces, "edge", "1", "zh", times=per_piece if times else ()
    )


@pytest.mark.parametrize("known", [True, False], ids=["word-times", "spread-over-caption"])
def test_word_times_stay_inside_their_caption_and_rise(known: bool) -> None:
    episode = parse_script(CASES / "21-word-split-across-captions.md")
    track = time_captions(episode, plan_of(CAPTIONS), narration(known), fps=25, words=True)
    assert track.cues
    for cue in track.cues:
        assert cue.words, cue.lines
        frames = [frame for _row, _a, _b, frame in cue.words]
        assert frames[0] == cue.first_frame, "the first word lights with the caption"
        assert frames == sorted(frames), "words light in order"
        assert all(cue.first_frame <= f < cue.end_frame for f in frames), (frames, cue.first_frame, cue.end_frame)
        for row, line in enumerate(cue.lines):
            assert "".join(line[a:b] for r, a, b, _f in cue.words if r == row) == line, "the words cover the line"
    money = track.cues[0]
    lit = {cue_line[a:b]: f for (r, a, b, f), cue_line in ((w, money.lines[w[0]]) for w in money.words)}
    assert any("12800" in word for word in lit), lit
    assert len(set(lit.values())) == len(lit), "every word of the first caption has its own moment"


def test_without_the_option_cues_carry_no_words() -> None:
    episode = parse_script(CASES / "21-word-split-across-captions.md")
    track = time_captions(episode, plan_of(CAPTIONS), narration(True), fps=25)
    assert all(cue.words == () for cue in track.cues)


def test_edge_word_boundaries_time_each_character() -> None:
    pieces = ["今天说高空抛物，", "请管好自己的手。"]
    boundaries = [
        Boundary(0.10, 0.40, "今天"),
        Boundary(0.40, 0.60, "说"),
        Boundary(0.60, 1.20, "高空抛物"),
        Boundary(1.60, 1.90, "请"),
        Boundary(1.90, 2.20, "管好"),
        Boundary(2.30, 2.90, "自己的手"),
    ]
    spans, _notes = align(pieces, boundaries, 3.0)
    times = word_times(pieces, boundaries, spans)
    assert [len(t) for t in times] == [7, 7]
    assert times[0][:3] == pytest.approx((0.10, 0.25, 0.40))
    assert times[1][:4] == pytest.approx((1.60, 1.90, 2.05, 2.30))
    for piece, (start, end) in zip(times, spans, strict=True):
        assert list(piece) == sorted(piece)
        assert all(start <= t <= end for t in piece)


def test_an_engine_without_word_times_is_spread_over_its_pieces() -> None:
    import numpy as np

    utterance = Utterance(np.zeros(10, dtype=np.int16), 10, ((0.0, 2.0), (2.5, 4.5)))
    assert utterance.char_times(1, "请管好。") == pytest.approx((2.5, 2.5 + 2 / 3, 2.5 + 4 / 3))


def test_a_highlighted_caption_matches_its_reference(tmp_path: Path) -> None:
    from tests.test_look import TOLERANCE, compare_with_reference

    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text('[theme]\nmotion = "none"\n[captions]\nhighlight = "word"\n', encoding="utf-8")
    config = load_config(root)
    painter = Painter(config, resolve_font(config), 1080, 1920)
    path = root / "scripts" / "0010-words.md"
    path.write_text(
        "---\nepisode: 10\ntitle: 高空抛物\ntopic: 民法典\n---\n## 法条\n![楼](../assets/images/building.png)\n"
        "依据《中华人民共和国民法典》第一千二百五十四条\n",
        encoding="utf-8",
    )
    episode = parse_script(path)
    lines = ("依据《中华人民共和国民法典》", "第一千二百五十四条")
    screen = painter.layout.scene(episode, 0, [ShownCaption(0, lines)], 0)
    state = painter.paint_top(painter.paint(screen), screen).convert("RGBA")
    caption = next(t for t in screen.top if getattr(t, "what", "") == "caption")
    box = painter.word_box()
    row, (start, end) = 0, highlight_units(lines[0])[1]
    assert lines[0][start:end] == "《中华人民共和国民法典》"
    band = painter.marked_word(caption, row, start, end, box)  # type: ignore[arg-type]
    state.alpha_composite(band, (box[0], box[1]))
    shown = state.convert("RGB")
    shown.save(tmp_path / "highlighted.png")
    assert compare_with_reference(shown, "caption-word-highlight") <= TOLERANCE
    # The marker is the accent colour, over the title's own place in the caption line.
    line = caption.lines[0]  # type: ignore[union-attr]
    middle_x = (line.box[0] + line.box[2]) // 2
    assert Image.Image.getpixel(shown, (middle_x, line.baseline - 20)) != Image.Image.getpixel(
        painter.paint_top(painter.paint(screen), screen).convert("RGB"), (middle_x, line.baseline - 20)
    )


def test_a_build_marks_the_words_of_its_captions_as_they_are_said(tmp_path: Path) -> None:
    import numpy as np

    from pipeline.build import build
    from pipeline.picture.layout import hex_colour
    from tests.media import frame_at, parse_srt

    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text(
        '[video]\nwidth = 360\nheight = 640\n\n[voice]\nengine = "espeak"\n\n[captions]\nhighlight = "word"\n',
        encoding="utf-8",
    )
    text = (
        "---\nepisode: 3\ntitle: 逐字\ntopic: 民法典\n---\n## 开场\n你好。\n## 案例\n![楼](../assets/images/building.png)\n"
        "王某从楼上扔下花盆，砸坏了楼下的汽车。\n"
    )
    (root / "scripts" / "0003.md").write_text(text, encoding="utf-8")
    report = build(load_config(root))
    assert report.ok, report.failed
    built = report.built[0]
    cue = next(c for c in parse_srt(built.subtitles.read_text(encoding="utf-8")) if "王某" in c.text)
    accent = np.array(hex_colour(load_config(root).theme.accent), dtype=float)

    def marker(seconds: float) -> tuple[float, float]:
        band = np.asarray(frame_at(built.video, seconds, width=360), dtype=float)[420:600]
        near = np.abs(band - accent).sum(axis=2) < 60
        assert near.sum() > 20, f"a word is marked at {seconds:.2f} s"
        rows, columns = np.nonzero(near)
        return float(columns.mean()), float(rows.mean())

    early, late = marker(cue.start + 0.05), marker(cue.end - 0.15)
    assert abs(late[0] - early[0]) + abs(late[1] - early[1]) > 20, "the mark has moved on as the words were said"
