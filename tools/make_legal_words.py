"""Write pipeline/captions/legal_words.txt: the words captions must never be broken inside.

The caption splitter segments Chinese with jieba, whose general dictionary does not know
many legal terms and law names. This tool derives a user dictionary from the official law
texts (``../shared/laws`` beside the repository, or the folder given): each law's short name
(民法典, 反电信网络诈骗法), and the names of its parts, chapters and sections (crimes, kinds of liability),
plus the legal terms listed below. The result is shipped inside the package, so pufa never
needs the law texts at run time.

    python tools/make_legal_words.py [LAWS_FOLDER]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "pipeline" / "captions" / "legal_words.txt"
DEFAULT_LAWS = ROOT.parent / "shared" / "laws"

# Terms the narration of a legal series uses that no heading names.
_TERMS_TEXT = """
高空抛物 抛掷物品 坠落物品 建筑物使用人 物业服务企业 侵权人 被侵权人 侵权责任 补偿责任 赔偿责任
连带责任 按份责任 民事责任 刑事责任 行政责任 法律责任 违约责任 过错责任 无过错责任 公平责任
损害赔偿 精神损害赔偿 人身损害 财产损失 依法承担 依法追究 追究刑事责任 有期徒刑 无期徒刑 拘役
管制 罚金 没收财产 剥夺政治权利 缓刑 假释 减刑 自首 立功 累犯 从轻处罚 减轻处罚 从重处罚
免除处罚 情节严重 情节特别严重 情节较轻 数额较大 数额巨大 数额特别巨大 治安管理处罚 行政拘留
行政处罚 行政复议 行政诉讼 民事诉讼 刑事诉讼 人民法院 人民检察院 最高人民法院 最高人民检察院
公安机关 司法机关 司法解释 法律援助 人民调解 仲裁机构 劳动仲裁 诉讼时效 举证责任 法定代理人
监护人 被监护人 未成年人 完全民事行为能力人 限制民事行为能力人 无民事行为能力人 民事法律行为
电信网络诈骗 网络诈骗 电信诈骗 诈骗罪 盗窃罪 抢劫罪 故意伤害罪 交通肇事罪 危险驾驶罪
高空抛物罪 醉酒驾驶 酒后驾驶 交通事故 机动车 非机动车 驾驶人 交通警察 道路交通安全
个人信息 消费者 经营者 劳动合同 用人单位 劳动者 试用期 经济补偿 工伤保险 社会保险
家庭暴力 人身安全保护令 告诫书 抚养费 赡养费 夫妻共同财产 夫妻共同债务 离婚冷静期
法定继承 遗嘱继承 遗产 继承人 物业费 业主大会 业主委员会 相邻关系 所有权 用益物权 担保物权
抵押权 质权 留置权 合同无效 可撤销 定金 违约金 格式条款 网络服务提供者 网络暴力
管理人 使用人 行为人 责任人 当事人 代理人 受害人 加害人 赔偿义务人 债权人 债务人 保证人
被告人 犯罪嫌疑人 原告 被告 第三人 建筑物管理人 物业服务人 承租人 出租人 买受人 出卖人
劳动争议仲裁委员会 仲裁委员会 劳动争议 公共法律服务 公共法律服务热线 反诈专线 居民委员会 村民委员会
"""
# Crime names (罪名) a 普法 column cites, as the Supreme People's Court's list of crimes names
# them; a name with 、 is given by its parts. A caption never cuts one: 非法吸收公众存款|罪 was
# the cut before these were listed.
_CRIMES_TEXT = """
帮助信息网络犯罪活动罪 非法利用信息网络罪 拒不履行信息网络安全管理义务罪 侵犯公民个人信息罪
非法吸收公众存款罪 集资诈骗罪 合同诈骗罪 信用卡诈骗罪 保险诈骗罪 贷款诈骗罪 组织领导传销活动罪
以危险方法危害公共安全罪 妨害安全驾驶罪 袭警罪 妨害公务罪 寻衅滋事罪 聚众斗殴罪 故意杀人罪
过失致人死亡罪 过失致人重伤罪 非法拘禁罪 敲诈勒索罪 抢夺罪 职务侵占罪 挪用资金罪 挪用公款罪
贪污罪 受贿罪 行贿罪 开设赌场罪 赌博罪 非法经营罪 故意毁坏财物罪 破坏生产经营罪 拒不支付劳动报酬罪
拒不执行判决裁定罪 虚假诉讼罪 伪证罪 诬告陷害罪 包庇罪 窝藏罪 非法侵入住宅罪 侮辱罪 诽谤罪
虐待罪 虐待被监护看护人罪 遗弃罪 重婚罪 强奸罪 强制猥亵罪 猥亵儿童罪 拐卖妇女儿童罪 非法持有毒品罪
容留他人吸毒罪 污染环境罪 非法采矿罪 滥伐林木罪 盗伐林木罪 非法狩猎罪 非法捕捞水产品罪
非法占用农用地罪 失火罪 放火罪 重大责任事故罪 冒名顶替罪 高空抛物罪 虚开增值税专用发票罪 逃税罪
假冒注册商标罪 侵犯著作权罪 生产销售伪劣产品罪 生产销售假药罪 掩饰隐瞒犯罪所得罪 洗钱罪
电信网络诈骗犯罪 帮信罪
"""
TERMS = [*_TERMS_TEXT.split(), *_CRIMES_TEXT.split()]

_TITLE = re.compile(r"^#\s*(?P<name>\S+)")
_HEADING = re.compile(r"^(?:#+\s*)?第[一二三四五六七八九十百零〇]+[编分章节]\s*(?P<name>\S+)")
_PREFIX = "中华人民共和国"
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
LAW_FREQUENCY = 50_000  # sure to beat any split of the name into common words
TERM_FREQUENCY = 5_000


def legal_words(laws: Path) -> dict[str, int]:
    """Word → jieba frequency, from every law text under ``laws`` and the terms above."""
    words: dict[str, int] = dict.fromkeys(TERMS, TERM_FREQUENCY)
    for path in sorted(laws.rglob("*.md")):
        if path.name == "README.md":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        title = _TITLE.match(lines[0]) if lines else None
        if title:
            # The short name only: jieba knows 中华人民共和国, so a full name is two words, and a
            # title too wide for a caption line breaks between them.
            name = title["name"]
            short = name[len(_PREFIX) :] if name.startswith(_PREFIX) and len(name) > len(_PREFIX) + 1 else name
            words[short] = LAW_FREQUENCY
        for line in lines:
            heading = _HEADING.match(line.strip())
            if heading is None:
                continue
            for part in re.split(r"[、，]", heading["name"]):
                if _HAN.match(part) and part not in words:
                    words[part] = TERM_FREQUENCY
    return words


def main(argv: list[str]) -> int:
    laws = Path(argv[1]) if len(argv) > 1 else DEFAULT_LAWS
    if not laws.is_dir():
        print(f"no law texts at {laws}; give their folder as the first argument", file=sys.stderr)
        return 1
    words = legal_words(laws)
    lines = [f"{word} {frequency}" for word, frequency in sorted(words.items())]
    header = "# jieba user dictionary of legal words: made by tools/make_legal_words.py; do not edit by hand\n"
    TARGET.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(words)} words from {laws}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
