"""How numbers and abbreviations in real legal scripts are read aloud. Captions keep the written text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.speech.normalize import Lexicon, cardinal, load_lexicon, normalize

CASES = [
    # article numbers
    ("《中华人民共和国民法典》第1254条", "《中华人民共和国民法典》第一千二百五十四条"),
    ("《刑法》第291条之二", "《刑法》第二百九十一条之二"),
    ("第266条", "第二百六十六条"),
    ("第19条第1款", "第十九条第一款"),
    ("第20条", "第二十条"),
    ("第1165条第2款", "第一千一百六十五条第二款"),
    ("第3项", "第三项"),
    ("第100条", "第一百条"),
    ("第1010条", "第一千零一十条"),
    ("第7章", "第七章"),
    ("第1260期", "第一千二百六十期"),
    ("第二百九十一条之二", "第二百九十一条之二"),
    # years and dates
    ("2023年", "二〇二三年"),
    ("2024年1月9日", "二〇二四年一月九日"),
    ("2022年9月2日第十三届全国人大常委会通过", "二〇二二年九月二日第十三届全国人大常委会通过"),
    ("自2021年1月1日起施行", "自二〇二一年一月一日起施行"),
    ("2023年5月", "二〇二三年五月"),
    ("2020年12月26日", "二〇二〇年十二月二十六日"),
    ("1997年刑法", "一九九七年刑法"),
    ("2008年", "二〇〇八年"),
    ("2023年10月15号", "二〇二三年十月十五号"),
    ("3月15日", "三月十五日"),
    # durations stay quantities
    ("处3年以下有期徒刑", "处三年以下有期徒刑"),
    ("处3年以上10年以下有期徒刑", "处三年以上十年以下有期徒刑"),
    ("试用期不得超过6个月", "试用期不得超过六个月"),
    ("劳动合同期限1年以上不满3年的", "劳动合同期限一年以上不满三年的"),
    ("拘留15日", "拘留十五日"),
    ("2年", "两年"),
    # hotlines, phones and codes, digit by digit
    ("拨打12345政务服务便民热线", "拨打幺二三四五政务服务便民热线"),
    ("请拨打110报警", "请拨打幺幺零报警"),
    ("96110反诈专线", "九六幺幺零反诈专线"),
    ("12348公共法律服务热线", "幺二三四八公共法律服务热线"),
    ("消费者投诉请拨打12315", "消费者投诉请拨打幺二三幺五"),
    ("火警119", "火警幺幺九"),
    ("急救电话120", "急救电话幺二零"),
    ("咨询电话0335-7012345", "咨询电话零三三五，七零幺二三四五"),
    ("手机号13812345678", "手机号幺三八幺二三四五六七八"),
    ("身份证号130323199001011234", "身份证号幺三零三二三幺九九零零幺零幺幺二三四"),
    ("验证码036512", "验证码零三六五幺二"),
    # percentages, decimals, ranges and money
    ("85%", "百分之八十五"),
    ("工资的80%", "工资的百分之八十"),
    ("百分之八十", "百分之八十"),
    ("12.5%", "百分之十二点五"),
    ("15%-20%", "百分之十五到百分之二十"),
    ("3-5名", "三到五名"),
    ("3至7日", "三到七日"),
    ("10~15天", "十到十五天"),
    ("24万余元", "二十四万余元"),
    ("26.55万元", "二十六点五五万元"),
    ("2.05万吨", "二点零五万吨"),
    ("罚款500元", "罚款五百元"),
    ("罚款2000元", "罚款两千元"),
    ("2万元", "两万元"),
    ("被骗6万多元", "被骗六万多元"),
    ("1.5倍", "一点五倍"),
    ("3.5", "三点五"),
    ("100000元", "十万元"),
    ("罚金10005元", "罚金一万零五元"),
    ("1/3", "三分之一"),
    ("12楼", "十二楼"),
    ("2个人", "两个人"),
    ("110元", "一百一十元"),
    ("0.5", "零点五"),
    ("18周岁", "十八周岁"),
    ("14周岁以上不满16周岁", "十四周岁以上不满十六周岁"),
    ("晚上10:30", "晚上十点三十分"),
    ("8:00", "八点整"),
    ("9:05", "九点零五分"),
    # Latin abbreviations and full-width characters
    ("下载APP", "下载A P P"),
    ("加QQ好友", "加Q Q好友"),
    ("ETC卡", "E T C卡"),
    ("ID账号", "I D账号"),
    ("PPT课件", "P P T课件"),
    ("１２３４５", "幺二三四五"),
    ("ＡＰＰ", "A P P"),
    ("８５％", "百分之八十五"),
    ("WiFi密码", "WiFi密码"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_normalisation(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_there_are_at_least_sixty_real_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        (0, "零"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (101, "一百零一"),
        (1254, "一千二百五十四"),
        (10000, "一万"),
        (10010, "一万零一十"),
        (100001, "十万零一"),
        (120000000, "一亿二千万"),
        (100000000, "一亿"),
    ],
)
def test_cardinal(number: int, spoken: str) -> None:
    assert cardinal(number) == spoken


def test_lexicon_applies_before_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text("# written\tspoken\n抚宁\t抚宁\n单县\t善县\n110号院\t一一零号院\n", encoding="utf-8")
    lexicon = load_lexicon(path)
    assert normalize("单县的110号院", lexicon) == "善县的一一零号院"


def test_bad_lexicon_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text("单县\t善县\n没有制表符\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"lexicon.tsv:2: error: a lexicon line is 'written<TAB>spoken'"):
        load_lexicon(path)


def test_missing_lexicon_is_empty(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path / "none.tsv") == Lexicon()
