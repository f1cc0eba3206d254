from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.captions.split import CaptionPlan, PlannedCaption, split_captions, tokenize
from pipeline.captions.track import format_srt, time_captions
from pipeline.picture.fonts import FontFace, bundled_font_path
from pipeline.script import Block, Episode, Scene, Span
from pipeline.speech.narration import Narration


def one_em(text: str) -> float:
    """Every character one unit wide: widths are counted in characters."""
    return float(len(text))


def lines_of(text: str, width: float = 10, max_lines: int = 2) -> list[tuple[str, ...]]:
    return [c.lines for c in split_captions([Span(text, text)], one_em, width, max_lines)]


def test_each_clause_is_a_caption_and_final_punctuation_is_hidden() -> None:
    assert lines_of("今天天气很好。我们去公园吧！") == [("今天天气很好",), ("我们去公园吧！",)]


def test_short_clauses_share_a_line_when_no_sentence_ends_between() -> None:
    assert lines_of("你好，朋友。再见。") == [("你好，朋友",), ("再见",)]


def test_long_clause_is_cut_into_balanced_two_line_captions() -> None:
    captions = lines_of("从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的，")
    assert all(len(c) <= 2 and all(len(line) <= 10 for line in c) for c in captions)
    assert "".join("".join(c) for c in captions) == "从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的"


@pytest.mark.parametrize(
    "unbreakable",
    ["《中华人民共和国民法典》", "第一千二百五十四条", "26.55", "APP", "百分之八十", "2023"],
)
def test_titles_numbers_and_latin_words_are_never_split(unbreakable: str) -> None:
    text = f"根据规定{unbreakable}里面的内容很长很长很长很长很长"
    lines = [line for caption in lines_of(text, width=14) for line in caption]
    assert any(unbreakable in line for line in lines), lines


def test_a_title_wider_than_the_frame_is_broken_rather_than_lost() -> None:
    lines = [line for caption in lines_of("《中华人民共和国民法典》规定", width=6) for line in caption]
    assert "".join(lines) == "《中华人民共和国民法典》规定"
    assert all(len(line) <= 6 for line in lines)


def test_no_token_is_cut_across_lines() -> None:
    for caption in lines_of("王某从十二楼扔下花盆被判赔偿26.55万元并承担《中华人民共和国民法典》规定的责任", width=14):
        for first, second in itertools.pairwise(caption):
            assert not (first.endswith("十") and second.startswith("二"))
            assert not (first.endswith("26.") or second.startswith("55"))


def test_no_line_starts_with_closing_punctuation() -> None:
    for caption in lines_of("他说：“我错了”，然后……走了。还有（括号）里的话》", width=6):
        for line in caption:
            assert line[0] not in "，。、；：！？）》”…"


def test_override_spans_show_one_text_and_speak_another() -> None:
    captions = split_captions(
        [Span("请拨打", "请拨打"), Span("12348", "幺二三四八", fixed=True), Span("。", "。")], one_em, 10
    )
    assert [(c.lines, c.spoken) for c in captions] == [(("请拨打12348",), "请拨打幺二三四八。")]


def test_tokens_glue_punctuation_to_words() -> None:
    tokens = [t.shown for t in tokenize([Span("根据《民法典》，第三条规定：", "")])]
    assert tokens == ["根据", "《民法典》，", "第三条", "规定："]


def test_real_font_keeps_every_line_inside_the_frame() -> None:
    font = FontFace(bundled_font_path(), 2).pil(52)
    text = (
        "《中华人民共和国反电信网络诈骗法》第二条规定：本法所称电信网络诈骗，是指以非法占有为目的，"
        "利用电信网络技术手段，通过远程、非接触等方式，诈骗公私财物的行为。"
    )
    captions = split_captions([Span(text, text)], font.getlength, 968)
    assert all(font.getlength(line) <= 968 for c in captions for line in c.lines)
    assert all(len(c.lines) <= 2 for c in captions)
    # The title is 17 characters, one more than a line holds: it breaks after the country's name.
    assert captions[0].lines == ("《中华人民共和国", "反电信网络诈骗法》第二条规定：")


def make_episode() -> Episode:
    block = Block("narration", (Span("你好。再见。", "你好。再见。"),), 7)
    return Episode(Path("x.md"), 1, "标题", "刑法", (), (), None, "draft", (Scene("开场", 6, (block,)),), "0")


def test_timing_snaps_to_frames_and_srt_matches() -> None:
    episode = make_episode()
    texts = split_captions(episode.scenes[0].blocks[0].spans, one_em, 10)
    plan = CaptionPlan(((PlannedCaption(0, 0, "narration", texts[0]), PlannedCaption(0, 0, "narration", texts[1])),))
    narration = Narration(Path("a.wav"), 22050, 6.0, ((2.5, 5.0),), ((2.81, 3.52), (3.9, 4.61)), "espeak", "1", "cmn")
    track = time_captions(episode, plan, narration, fps=30)
    # Each is held 5/6 s, into the silence after it, to be read.
    assert [(c.first_frame, c.end_frame) for c in track.cues] == [(84, 109), (117, 142)]
    assert (track.total_frames, track.title_end_frame, track.closing_first_frame) == (180, 75, 150)
    assert format_srt(track) == "1\n00:00:02,800 --> 00:00:03,633\n你好\n\n2\n00:00:03,900 --> 00:00:04,733\n再见\n"
