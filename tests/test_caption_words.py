"""Captions break only between words, follow the reading rules, and cost time in proportion to the text."""

from __future__ import annotations

from itertools import accumulate
from pathlib import Path

import pytest

from pipeline.captions.split import RULES, CaptionPlan, PlannedCaption, chars, display, split_captions, words
from pipeline.captions.track import time_captions
from pipeline.picture.fonts import FontFace, bundled_font_path
from pipeline.script import Span, parse_script
from pipeline.speech.narration import Narration

CASES = Path(__file__).parent / "cases" / "scripts"
FONT = FontFace(bundled_font_path(), 2).pil(52)
LINE = 968  # pixels of caption line at 1080 wide, 56 px margins

LONG_SENTENCES = [
    "禁止从建筑物中抛掷物品从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的由侵权人依法承担侵权责任"
    "经调查难以确定具体侵权人的除能够证明自己不是侵权人的外由可能加害的建筑物使用人给予补偿",
    "物业服务企业等建筑物管理人应当采取必要的安全保障措施防止前款规定情形的发生未采取必要的安全保障措施的应当依法承担未履行安全保障义务的侵权责任",
    "以非法占有为目的利用电信网络技术手段通过远程非接触等方式诈骗公私财物的行为是电信网络诈骗公安机关提醒广大群众不要轻信陌生来电",
    "用人单位自用工之日起即与劳动者建立劳动关系用人单位应当建立职工名册备查劳动合同期限三个月以上不满一年的试用期不得超过一个月",
    "机动车驾驶人饮酒后驾驶机动车的处暂扣六个月机动车驾驶证并处一千元以上二千元以下罚款因饮酒后驾驶机动车被处罚再次饮酒后驾驶机动车的处十日以下拘留",
    "未成年人的父母或者其他监护人应当依法履行监护职责不得放任未成年人沉迷网络不得让未成年人脱离监护单独生活学校应当配合家庭做好未成年人的教育工作",
    "夫妻在婚姻关系存续期间所得的工资奖金劳务报酬生产经营投资的收益知识产权的收益继承或者受赠的财产为夫妻的共同财产归夫妻共同所有夫妻对共同财产有平等的处理权",
    "王某赔偿26.55万元并被判处3年有期徒刑法院依据民法典第一千二百五十四条判决被告在判决生效之日起十日内支付原告医疗费误工费共计12800元",
]


def boundaries(text: str) -> set[int]:
    return {0, *accumulate(len(w) for w in words(text))}


def cut_points(text: str, captions: list[tuple[str, ...]]) -> list[int]:
    """Where in ``text`` each line of the captions starts (the text has no hidden punctuation)."""
    points, position = [], 0
    for caption in captions:
        for line in caption:
            position = text.index(line, position)
            points.append(position)
            position += len(line)
    return points


@pytest.mark.parametrize("sentence", LONG_SENTENCES, ids=range(len(LONG_SENTENCES)))
def test_no_break_falls_inside_a_jieba_word(sentence: str) -> None:
    captions = [c.lines for c in split_captions([Span(sentence, sentence)], FONT.getlength, LINE)]
    assert "".join("".join(c) for c in captions) == sentence
    inside = [p for p in cut_points(sentence, captions) if p not in boundaries(sentence)]
    assert inside == [], [sentence[p - 3 : p] + "|" + sentence[p : p + 3] for p in inside]


@pytest.mark.parametrize("sentence", LONG_SENTENCES, ids=range(len(LONG_SENTENCES)))
def test_lines_follow_the_reading_rules(sentence: str) -> None:
    for caption in split_captions([Span(sentence, sentence)], FONT.getlength, LINE):
        assert 1 <= len(caption.lines) <= 2
        for line in caption.lines:
            assert chars(line) <= RULES.max_line_chars and FONT.getlength(line) <= LINE, line


@pytest.mark.parametrize(
    "unbreakable",
    [
        "3年",
        "26.55万元",
        "第一千二百五十四条",
        "第二百九十一条之二",
        "2023年5月8日",
        "-10℃",
        "120km/h",
        "12800元",
        "3至5年",
        "三至五年",
        "1.5亿元",
        "135-4567-8900",
        "百分之八十五",
        "十二楼",
    ],
)
def test_numbers_with_units_and_articles_are_never_broken(unbreakable: str) -> None:
    for filler in ("从建筑物中抛掷物品", "或者从建筑物上坠落的物品造成", "他人损害"):
        text = f"{filler}{unbreakable}{filler}{unbreakable}依法承担侵权责任"
        lines = [line for c in split_captions([Span(text, text)], FONT.getlength, LINE) for line in c.lines]
        assert sum(line.count(unbreakable) for line in lines) == 2, lines


def test_the_two_lines_of_a_caption_are_balanced() -> None:
    text = "经调查难以确定具体侵权人的除能够证明自己不是侵权人的外，"
    (caption,) = split_captions([Span(text, text)], FONT.getlength, LINE)
    first, second = (chars(line) for line in caption.lines)
    assert abs(first - second) <= 4, caption.lines


def test_case_21_no_caption_cuts_a_word() -> None:
    episode = parse_script(CASES / "21-word-split-across-captions.md")
    block = episode.scenes[0].blocks[0]
    captions = [c.lines for c in split_captions(block.spans, FONT.getlength, LINE)]
    text = block.shown
    assert not any(line.endswith("物") for c in captions for line in c), "…坠落的物 / 品造成… is the fault"
    assert [p for p in cut_points(text, captions) if p not in boundaries(text)] == []


def test_case_22_each_part_of_a_long_title_is_spoken_while_shown() -> None:
    episode = parse_script(CASES / "22-long-title-caption-sync.md")
    captions = split_captions(episode.scenes[0].blocks[0].spans, FONT.getlength, LINE)
    title = "最高人民法院关于审理道路交通事故损害赔偿案件适用法律若干问题的解释"
    holding = [c for c in captions if any(ch in title for ch in c.text)]
    assert len(holding) >= 2, "the title is wider than a line"
    for caption in holding:
        shown = "".join(ch for ch in caption.text if ch.isalnum())
        spoken = "".join(ch for ch in caption.spoken if ch.isalnum())
        assert shown == spoken, "a caption's voice says exactly what it shows"
    assert all(chars(line) <= RULES.max_line_chars for c in captions for line in c.lines)


def test_a_title_with_enumeration_commas_is_broken_between_its_words() -> None:
    text = "根据《最高人民法院、最高人民检察院关于办理电信网络诈骗等刑事案件适用法律若干问题的意见》的规定，"
    captions = split_captions([Span(text, text)], FONT.getlength, LINE)
    joined = "".join("".join(c.lines) for c in captions)
    assert joined.replace("、", "") == display(text).replace("、", "")
    assert all(chars(line) <= RULES.max_line_chars for c in captions for line in c.lines)
    lines = [c.lines for c in captions]
    assert [p for p in cut_points(text, lines) if p not in boundaries(text)] == []
    for caption in captions:
        assert "".join(ch for ch in caption.text if ch.isalnum()) == "".join(ch for ch in caption.spoken if ch.isalnum())


def test_measuring_is_linear_in_the_length_of_a_paragraph() -> None:
    calls = 0

    def counting(text: str) -> float:
        nonlocal calls
        calls += 1
        return FONT.getlength(text)

    text = (LONG_SENTENCES[0] * 30)[:2000]
    captions = split_captions([Span(text, text)], counting, LINE)
    assert sum(len("".join(c.lines)) for c in captions) == 2000
    assert calls <= 2 * 2000, calls


def plan_of(captions: list[tuple[str, ...]]) -> CaptionPlan:
    from pipeline.captions.split import CaptionText

    texts = [CaptionText(lines, "".join(lines), "", lines if len(lines) > 1 else ()) for lines in captions]
    return CaptionPlan((tuple(PlannedCaption(0, 0, "narration", t) for t in texts),))


def narration(pieces: list[tuple[float, float]], scene_end: float) -> Narration:
    return Narration(Path("a.wav"), 22050, scene_end + 1, ((1.0, scene_end),), tuple(pieces), "espeak", "1", "cmn")


def test_a_caption_too_short_is_held_into_the_silence_or_joined_with_the_next() -> None:
    episode = parse_script(CASES / "21-word-split-across-captions.md")
    plan = plan_of([("大家好",), ("今天说高空抛物",), ("再见",)])
    # The first is followed by silence; the second has none after it, so the short third joins it.
    track = time_captions(episode, plan, narration([(1.0, 1.4), (2.0, 3.9), (3.9, 4.2)], 4.5), fps=25)
    assert [(c.lines, c.start, c.end) for c in track.cues] == [
        (("大家好",), 1.0, 1.84),
        (("今天说高空抛物", "再见"), 2.0, 4.48),
    ]


def test_a_caption_on_screen_too_long_is_cut_between_its_lines() -> None:
    episode = parse_script(CASES / "21-word-split-across-captions.md")
    plan = plan_of([("禁止从建筑物中抛掷物品", "造成他人损害的")])
    track = time_captions(episode, plan, narration([(1.0, 10.0)], 10.5), fps=25)
    assert [(c.lines, c.start) for c in track.cues] == [(("禁止从建筑物中抛掷物品",), 1.0), (("造成他人损害的",), 6.48)]
    assert all(c.end - c.start <= RULES.max_seconds for c in track.cues)


CRIMES = [
    "帮助信息网络犯罪活动罪",
    "非法吸收公众存款罪",
    "拒不执行判决裁定罪",
    "以危险方法危害公共安全罪",
    "侵犯公民个人信息罪",
    "拒不支付劳动报酬罪",
    "组织领导传销活动罪",
]


@pytest.mark.parametrize("crime", CRIMES)
def test_a_crime_name_is_never_cut(crime: str) -> None:
    """A crime's name stays on one line of one caption, wherever it falls in a long unpunctuated sentence."""
    for lead in range(0, 16, 3):
        sentence = "某某" + "依法" * (lead // 2) + "被告人的行为涉嫌" + crime + "被检察院依法提起公诉同时另案处理"
        captions = [c.lines for c in split_captions([Span(sentence, sentence)], FONT.getlength, LINE)]
        assert any(crime in line for caption in captions for line in caption), (lead, captions)


@pytest.mark.parametrize("crime", ["非法采伐毁坏国家重点保护植物罪", "非法制造销售非法制造的注册商标标识罪"])
def test_an_unlisted_crime_keeps_its_last_character(crime: str) -> None:
    """A name not in the legal words may be broken between its words, but 罪 never starts a line."""
    for lead in ("", "因"):
        sentence = f"某某{lead}涉嫌{crime}和其他犯罪行为被公安机关依法刑事拘留"
        captions = [c.lines for c in split_captions([Span(sentence, sentence)], FONT.getlength, LINE)]
        assert not any(line.startswith("罪") for caption in captions for line in caption), captions
