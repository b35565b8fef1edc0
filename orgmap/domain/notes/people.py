"""People mentioned in a call note: ``财务李姐``, ``王总``, ``小王``, ``老板``, ``Mr. Wang``.

>>> found = find_mentions("前台小王说付款找财务李姐，王总说要问老板")
>>> [(p.name, p.department) for p in found]
[('小王', 'reception'), ('李姐', 'finance'), ('王总', 'management'), ('老板', 'owner')]
>>> [(p.name, p.title) for p in find_mentions("the receptionist gave me Mr. Chen's number")]
[('', 'receptionist'), ('Mr. Chen', 'Mr.')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orgmap.domain.model import Department

__all__ = ["PINYIN_SURNAMES", "Mention", "find_mentions", "find_pronouns"]

# the common surnames; left out on purpose are those that begin everyday words a note is
# full of (于 小于, 时 小时, 安 安排, 明 明天, 单 单号, 费 小费, 赖 老赖, 施 施工, 申 申请 ...)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵钱严覃武戴莫孔向汤欧傅萧温康牛樊葛邢易乔伍庞颜倪庄聂章鲁岳翟殷詹耿兰焦俞柳甘祝舒阮"
    "柯纪梅童裴霍涂苗盛翁冉骆蓝游靳柴蒙鲍喻祁蒲滕屈饶牟艾尤穆卓缪娄窦戚岑卜晏卫柏瞿桂佟臧闵"
    "苟邬卞姬栾隋刁寇桑郎甄巩敖佘邝洪宁"
    # rarer ones, and the south's: 符经理, 冼店长, 麦小姐, 阎总, 房主管, 庹科长 ...
    "符冼麦简阎庹邸亓琚仝房揭粟练勾郁竺帅凌车包边左丘鞠芦谷巫农扈习连封储宫池闻古麻苑仇雍"
    "廉花宗展荣吉檀钮褚井米曲幸伏束茅谈沙关支戈党战匡芮招冀狄尚晋丰鄢凤蔺荆鄂衡虞季湛危韶郜"
    "茹邰洛逄居邴咸燕浦宣宿贝越景尧毕阙乐卿敬仲昌隆文云满巴弓贡谌矫阚惠晁钭蓬汲芈禹宓佴眭隗酆郇扶璩桓乜亢况郗蹇漆訾母"
)
# surnames that only name someone after 小 or 老 (申 starts 申请, 施 施工): 秘书小申, 老施
# (小于 before a number is "less than")
_SURNAMES_AFTER_XIAO = "申施单安明于海常"
# words that end in a surname and come before a title: 前任会计 is the former accountant,
# 公关经理 a PR manager, not 任会计 or 关经理
_WORDS_ENDING_IN_A_SURNAME_SAID = (
    "前任 主任 责任 现任 新任 公关 海关 机关 相关 车间 外包 承包 分包 总包 劳务 业务 商务 "
    "法务 财务 事务 服务 税务 项目 门店 分店 酒店 客户 大客 片区 大区 小区 园区 省区 行政 "
    "人事 董事 理事 监事 同事 后勤 基建 工程 会计 出纳 采购 销售 物流 仓库 质检 技术 研发 "
    "设计 生产 车队 船队 开发 营销 市场 品牌 电商 运营 总办 总裁 副总 老总 大姐 二姐 表姐 "
    "堂姐 嫂子 对接 负责 接待 分管 主管 联系 他们 她们 我们 你们 之前 以前 现在 原来 新来 "
    "门卫 保卫 守卫 后卫 "
    # before the surnames said only right before a title (_TITLE_ONLY): 关于会计的事, 社区主任,
    # 写字楼经理, 上海总部, 经常老板不在, 应付会计
    "关于 对于 由于 位于 等于 属于 至于 终于 在于 基于 用于 处于 小于 大于 高于 低于 早于 晚于 "
    "社区 地区 城区 辖区 新区 厂区 景区 市区 郊区 山区 校区 街区 片区 分区 专区 "
    "大楼 高楼 字楼 售楼 上楼 下楼 主楼 公楼 "
    "上海 珠海 青海 南海 东海 北海 威海 沿海 航海 出海 大海 "
    "经常 非常 正常 异常 日常 平常 通常 照常 "
    "应付 预付 垫付 支付 交付 对付 兑付 拨付 偿付 当初 最初 起初 年初 月初 "
)
_WORDS = frozenset(_WORDS_ENDING_IN_A_SURNAME_SAID.split())
# surnames that name someone only right before a title, as they begin or end everyday words:
# 申总 (申请), 付经理 (付款), 于姐 (关于), 区总 (地区), 楼总 (大楼), 海会计 (上海), 常律师 (经常),
# 冶经理 (冶金)
_TITLE_ONLY = "申付于区楼海常冶喇初"
_WEEKDAY = frozenset("一二三四五六日天末")
_NUMBER_NEXT = re.compile(r"\s*[\d一二三四五六七八九十两百千万]")
# two-character surnames ("上官姐", "欧阳经理")
_COMPOUND = "上官|欧阳|司马|诸葛|东方|皇甫|慕容|令狐|司徒|夏侯|尉迟|公孙|长孙|端木"
# pinyin of common surnames, to read "Manager Zhao", "Xiao Wang" or a bare "Zhao" as 赵, 王
PINYIN_SURNAMES = {
    "wang": "王", "li": "李", "zhang": "张", "liu": "刘", "chen": "陈", "yang": "杨",
    "huang": "黄", "zhao": "赵", "wu": "吴", "zhou": "周", "sun": "孙", "ma": "马",
    "zhu": "朱", "hu": "胡", "guo": "郭", "he": "何", "gao": "高", "lin": "林", "luo": "罗",
    "zheng": "郑", "liang": "梁", "xie": "谢", "song": "宋", "tang": "唐", "han": "韩",
    "feng": "冯", "deng": "邓", "cao": "曹", "peng": "彭", "zeng": "曾", "tian": "田",
    "dong": "董", "yuan": "袁", "pan": "潘", "jiang": "蒋", "cai": "蔡", "du": "杜",
    "ye": "叶", "cheng": "程", "su": "苏", "wei": "魏", "ding": "丁", "shen": "沈",
    "yao": "姚", "zhong": "钟", "meng": "孟", "qian": "钱", "qin": "秦", "fang": "方",
    "bai": "白", "lu": "陆", "xu": "徐", "yu": "余", "xiao": "肖",
}  # fmt: skip
_HONORIFICS = (
    # 工 as in 韦工 (an engineer), not 包工头, 工资, 工人
    "副总经理|副院长|副校长|副厂长|副主任|副科长|副处长|副经理|副社长|副局长|副部长|副董|副总|"
    "老爷子|襄理|协理|"
    # the chairman of a cooperative or an association and its supervisor: 杜理事长, 穆监事长;
    # the chief accountant and the chief engineer: 刘总会计师, 韦总工; a shop's head: 彭店总
    "理事长|监事长|总会计师|总工|店总|"
    # (总部, 总机, 总公司, 总账: the head office, the switchboard, the ledger; no one)
    "总经理|总监|总(?![部机账额共数计公])|经理|大姐|大哥|姐|哥|阿姨|会计师|会计|出纳|主管|老板|董事长|董|主任|科长|部长|"
    "助理|秘书|医生|大夫|代表|支书|合伙人|嫂|"
    "老师|教授|工程师|工(?![头资人程地厂作期艺单商具钱])|先生|"
    # the heads of a works, a shop, a school, a branch: 厂长, 店长, 院长, 行长 ...
    "女士|小姐|姑娘|律师|师傅|厂长|矿长|店长|院长|校长|处长|所长|站长|行长|队长|组长|"
    # and of a kindergarten, a library, a press, a bureau, an association, a village, a party
    # committee: 夏园长, 蒋馆长, 邱社长, 方局长, 何会长, 李村长, 王书记
    "园长|馆长|社长|局长|会长|村长|镇长|乡长|书记|主席"
)
# characters that end a name rather than continue it
_STOP = (
    "说话讲找让给的了是和跟在把被叫问推打付还钱月号日天周点再也都就又不没要会能已前后上下电手得"
    "额"  # (金额老板: the sum, then the boss)
    "传厅间部"  # (小王传老板的话, 展厅经理, 车间主任, 二手车部鲍经理: a word, then a title)
)
_NAMED = re.compile(
    # ("店长姓邢邢店长": the surname said twice is not a given name)
    rf"(?P<pre>小|老|阿)?(?P<sur>{_COMPOUND}|[{SURNAMES}])(?!(?P=sur))"
    rf"(?P<given>[^\W\d{_STOP}于a-zA-Z]{{0,2}}?)"  # (关于会计: about the accountant)
    rf"(?P<hon>{_HONORIFICS})"
    # 申总, 付经理, 于姐: these name someone only right before a title (申请, 付款, 关于)
    rf"|(?P<sur3>[{_TITLE_ONLY}])(?P<hon3>{_HONORIFICS})"
    rf"|(?P<pre2>小|老|阿)(?P<sur2>[{SURNAMES}{_SURNAMES_AFTER_XIAO}])"
    rf"(?![^\W\d{_STOP}a-zA-Z]?(?:{_HONORIFICS}))"
)
_ROLE_CN = re.compile(
    r"(?:财务总监|财务经理|财务主管|总经理|董事长|大老板|老板娘|老板|老总|老细|事头婆|头家娘|头家|"
    r"厂长|院长|校长|店长|行长|"
    r"园长|馆长|社长|局长|理事长|监事长|总会计师|秘书|保安|"
    r"前台|出纳员|出纳|会计|法务|总务|采购员|库管|仓管|总监|一把手|矿长|护士长|(?<!是)副总(?!经理)|"
    r"(?<![A-Za-z])lb(?![A-Za-z])|"
    r"财务|采购|销售)"
    # 财务室, 总经理办公室, 财务科: a room or an office, not a person; 财务软件: a thing;
    # 总经理助理: someone else; 财务电话: the office's number
    # 销售单: an order; 采购部: a department
    # 财务共享中心: a service; 我们财务: ours, not theirs; 采购款: a sum
    r"(?!室|办|科|部|处|单|款|软件|系统|报表|助理|秘书|电话|座机|那块|这块|共享|中心)"
    r"(?<!我们财务)(?<!咱们财务)(?<!我司财务)(?<!你们财务)"
)
_ROLE_EN = re.compile(
    r"(?:\b(?:the|their|his|her|a)\s+|^)"
    r"(?P<role>receptionist|front desk|boss|owner|accountant|cashier|"
    r"CFO|CEO|GM|general manager|finance manager|finance director|finance|sales manager|"
    r"purchasing manager|sales guy|sales|purchasing|legal)\b"
    r"(?!\s+(?:dept|department|office|team)\b)"  # "the finance dept has the invoice"
    # "the owner's wife Mrs Qiu": she is the one spoken to
    r"(?!['’]s\s+(?:wife|husband|son|daughter|brother|sister|nephew|niece|relative)\b)",
    re.IGNORECASE,
)
# a role said bare, as the subject of a verb ("Zhao: finance will pay") or inside a Chinese
# note ("赵经理说boss不在")
_ROLE_EN_BARE = re.compile(
    # "Ms. Yao from purchasing says": her department, no one new
    r"(?<![A-Za-z])(?<!from )(?<!in )(?<!at )"
    r"(?P<role>receptionist|front desk|boss|owner|accountant|cashier|CFO|CEO|GM|"
    r"finance|sales|purchasing|legal)(?![A-Za-z])",  # not \b: "boss不在" has no word boundary
    re.IGNORECASE,
)
_SUBJECT_OF = re.compile(
    r"\s*(?:will|would|said|says|told|promised|agreed|can|could|asked|refused|wants|needs)\b",
    re.IGNORECASE,
)
# English given names that collectors' contacts go by (Linda, Kevin); a capitalised word said
# inside a Chinese note is taken as a name too ("finance那边的Linda可以处理")
_GIVEN_NAMES_SAID = (
    "Alan Alex Alice Amanda Amy Andy Angela Angel Anna Annie Ben Bella Betty Bob Bruce Carol "
    "Cathy Charles Cherry Chris Cindy Coco Daisy Daniel David Dennis Eason Echo Edward Elaine "
    "Ella Emily Emma Eric Eva Evan Fiona Frank Gary George Gloria Helen Henry Iris Ivan Ivy Jack "
    "Jackie Jacky James Jane Janet Jason Jeff Jennifer Jenny Jerry Jessica Jessie Jim Joanna Joe "
    "John Johnny Joyce Judy Julia Julie Karen Kate Kathy Kelly Ken Kevin Kitty Leo Leon Lily "
    "Linda Lisa Lucy Luna Mandy Maria Mary Michael Michelle Mike Monica Nancy Nick Nina Olivia "
    "Oscar Patrick Paul Peggy Peter Phoebe Rachel Richard Rita Robert Ruby Ryan Sally Sam Sandy "
    "Sarah Shirley Simon Sophia Sophie Stella Steven Susan Tina Tom Tommy Tony Tracy Vicky Victor "
    "Vincent Vivian Wendy William Yoyo Zoe Kenny Raymond Terence Calvin Derek Eddie Gordon "
    "Jimmy Joey Ricky Stanley Wilson Winnie Carmen Connie Fanny Gigi Irene Mabel Queenie "
    "Kelvin Kenneth Dickson Benny Anita Ada Candy Alvin Felix Hugo Winston Sharon Teresa Jacqueline"
)
_GIVEN_EN = re.compile(
    r"(?<![A-Za-z])(?P<name>(?:" + "|".join(_GIVEN_NAMES_SAID.split()) + r")"
    # "Vivian Lo", "Tony Chan": a surname said after the given name
    r"(?:\s(?!(?:The|And|From|In|At|On|Is|Was|Will|Said|Says|Mr|Ms|Mrs|Miss|Called|Said|He|She|"
    r"It|We|They|Wang|Zhao)\b)[A-Z][a-z]{1,5}\b(?!['’]s\b)(?=\s*[,.;:，。；：、]|\s+(?:said|says|replied|"
    r"will|from|in|at|the|is|was|promised|agreed|told|gave|who|and|to|for|on|has|had)\b))?)"
    r"(?![A-Za-z])(?!['’]s\b)"
)
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
_NAME_IN_CN = re.compile(
    r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])\s?(?P<name>[A-Z][a-z]{2,11})"
    r"(?=\s?[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])"
)
_NOT_NAMES_SAID = (
    "Boss Call Email Excel Mail Word Wechat Note Order Invoice Bank Line Office Finance Sales "
    "Legal Skype Teams Zoom Visa Alipay Paypal Taobao"
)
_NOT_NAMES = frozenset(_NOT_NAMES_SAID.split())
_NAMED_EN = re.compile(
    # (not \b, which does not hold next to Chinese: "嘅Mr Fung" is no word boundary)
    r"(?<![A-Za-z])(?P<hon>Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Miss|Madam|Mdm\.?|Prof\.?|Professor|"
    # titles said before the surname: "Section Chief Guo", "Vice President Li", "Mgr Zhao"
    r"Section Chief|Vice President|Vice Dean|Mine Director|Deputy Director|Chairman|President|"
    r"Engineer|Secretary|Principal|Dean|Mgr\.?|Manager|Director|Boss|Chef|Xiao|Lao|Ah)\s+"
    r"(?P<name>[A-Z][a-z]{1,12}"
    # "Mr. Kelvin Cheung", "Ms Priya Nair", "Mr. Nguyen Van Duc": given names, then the surname
    r"(?:(?:\s(?!(?:The|And|To|From|In|At|On|Is|Was|Will|Said|Says|He|She|It|We|They|I|Mr|Ms|"
    r"Mrs|Dr|Ah|Zhao|Wang)\b)[A-Z][a-z]{1,12}){1,2}(?=\s*[,.;:(，。；：、（]|\s+(?:in|at|from|"
    r"of|on|said|says|will|emailed|the|is|was|can|has|approved|$)|$))?)(?![A-Za-z])"
)
# a Japanese colleague: "Tanaka-san"
_SAN = re.compile(r"\b(?P<name>[A-Z][a-z]{1,12})-san\b")
# a bare pinyin surname that says or does something: "Zhao said", "Zhao promised", "Zhao: ..."
# ("He said" is the pronoun, not 何)
_BARE_SURNAMES = sorted((k.capitalize() for k in PINYIN_SURNAMES if k != "he"), key=len)
_BARE_EN = re.compile(
    r"\b(?P<name>"
    + "|".join(reversed(_BARE_SURNAMES))
    + r")\b(?=\s?:|\s+(?:said|says|told|promised|agreed|will|can|asked|refused|"
    # "Zhao put me through to Mr Kong", "Zhao not in"
    r"put|sent|transferred|gave|passed|hung|texted|replied|not in|isn't|wasn't|messaged|"
    r"emailed|insists|insisted|claims|claimed|confirmed|wrote|called|rang|answered|picked up|"
    r"not picking up|not answering|"
    # and as some write it: "Zhao say", "Zhao away", "Wang WeChat just now", "Zhao in hospital"
    r"say|give|away|not answer|not there|wechat|in hospital|on leave|off)\b|\s+\("
    # "Zhao's line busy", "Wang's mobile"
    r"|['’]s (?:old |other |new )?(?:line|mobile|phone|number|cell|office|desk|HP)\b"
    r"|['’]s (?:in|on|out|away|back)\b"  # "Zhao's in Zhoukou"
    r"|\s+on (?:WhatsApp|WeChat|the phone)\b)"
    r"|(?<=from )(?P<name4>" + "|".join(reversed(_BARE_SURNAMES)) + r")\b"
    # "Called Zhao,", "Spoke to Wang at reception"
    r"|(?:(?<=called )|(?<=texted )|(?<=messaged )|(?<=emailed )|(?<=rang )|(?<=chased )"
    r"|(?<=reminded )|(?<=pinged ))"
    r"(?P<name2>" + "|".join(reversed(_BARE_SURNAMES)) + r")\b(?!['’]s)"
    r"|(?<=spoke to )(?P<name3>" + "|".join(reversed(_BARE_SURNAMES)) + r")\b(?!['’]s)",
    re.IGNORECASE,
)
# the bare pinyin surname must be written with a capital: "Called Zhao", not "called zhao"
_CAPITALISED = re.compile(r"[A-Z][a-z]+")
_DEPT_WORDS = (
    ("财务", Department.FINANCE),
    ("会计", Department.FINANCE),
    ("出纳", Department.FINANCE),
    ("前台", Department.RECEPTION),
    ("销售", Department.SALES),
    ("业务", Department.SALES),
    ("采购", Department.PURCHASING),
    ("法务", Department.LEGAL),
    ("老板", Department.OWNER),
    ("老细", Department.OWNER),
    ("事头婆", Department.OWNER),
    ("头家", Department.OWNER),
    ("lb", Department.OWNER),  # 老板 typed in shorthand
    ("一把手", Department.MANAGEMENT),
    ("老总", Department.MANAGEMENT),
    ("总经理", Department.MANAGEMENT),
    ("董事长", Department.OWNER),
    ("总监", Department.MANAGEMENT),
    ("总", Department.MANAGEMENT),
    ("董", Department.OWNER),
    ("receptionist", Department.RECEPTION),
    ("front desk", Department.RECEPTION),
    ("finance", Department.FINANCE),
    ("accountant", Department.FINANCE),
    ("cashier", Department.FINANCE),
    ("cfo", Department.FINANCE),
    ("boss", Department.OWNER),
    ("owner", Department.OWNER),
    ("ceo", Department.MANAGEMENT),
    ("gm", Department.MANAGEMENT),
    ("general manager", Department.MANAGEMENT),
    ("sales", Department.SALES),
    ("purchasing", Department.PURCHASING),
    ("legal", Department.LEGAL),
)
_PREFIX_DEPT = re.compile(
    r"(财务|前台|销售|业务|采购|法务|出纳|会计)(?:部门|部|处|科)?(?:的|那边的)?\s*$"
)
# (伊 is Shanghainese for he or she; 伊拉 is "they")
_PRONOUN = re.compile(r"[她他]|伊(?!拉)|\b(?:she|he|her|him)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """One person named in the note; ``name`` as said (empty for "the receptionist")."""

    name: str
    title: str
    department: str | None
    span: tuple[int, int]


def _department(words: str) -> str | None:
    lowered = words.lower()
    for word, department in _DEPT_WORDS:
        if word in lowered:
            return department.value
    return None


# "Carmen姐", "Ray哥", "Benny叔": an English name said as kin; "阿Ken": with 阿 before it
_KIN_AFTER = "姐哥叔姨"


def _in_kin_words(note: str, a: int, b: int) -> tuple[str, str, tuple[int, int]]:
    """An English name said inside Chinese, with the kin word after it (its title) or the 阿
    before it (no title)."""
    title = note[b] if b < len(note) and note[b] in _KIN_AFTER else ""
    b += bool(title)
    a -= a > 0 and note[a - 1] == "阿"
    return note[a:b], title, (a, b)


def _inside_a_word(note: str, m: re.Match[str]) -> bool:
    """Whether a surname found by ``_NAMED`` ends or begins a word instead of naming anyone."""
    start = m.start()
    if m.group("sur2") == "于":
        return _NUMBER_NEXT.match(note, m.end()) is not None  # 小于5万: less than
    if not (m.group("sur") or m.group("sur3")) or m.group("pre"):
        return False
    return (
        note[start - 1 : start + 1] in _WORDS
        or m.group() == "钱老板"  # the money, the boss
        # "周六赵经理", "周五出纳": a weekday, then the person
        or (m.group("sur") == "周" and note[start + 1 : start + 2] in _WEEKDAY)
    )


def find_mentions(note: str) -> tuple[Mention, ...]:
    """Every mention of a person, in order (the same person may be mentioned twice)."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    prefixes: list[tuple[str, int]] = []  # "采购的唐经理": the role word said before a name
    at = 0
    while (m := _NAMED.search(note, at)) is not None:
        start = m.start()
        if _inside_a_word(note, m):
            at = start + 1  # "前任会计", "公关经理": a word, then a title; "门卫樊师傅": look on
            continue
        at = m.end()
        prefix = _PREFIX_DEPT.search(note[max(0, start - 12) : start])
        if m.group("sur") or m.group("sur3"):
            title = m.group("hon") or m.group("hon3")
            department = _department(prefix.group(1)) if prefix else _department(title)
        else:
            title = ""
            department = _department(prefix.group(1)) if prefix else None
        if prefix:
            taken.append((start - len(prefix.group()), start))
            prefixes.append((prefix.group(1), start))
        found.append(Mention(m.group(), title, department, m.span()))
        taken.append(m.span())
    if _CANTONESE.search(note):  # "麦生", "陈太": Mr Mak, Mrs Chan
        for m in _NAMED_CANTONESE.finditer(note):
            if m.group() in _NOT_CANTONESE_NAMES or any(
                a < m.end() and m.start() < b for a, b in taken
            ):
                continue
            prefix = _PREFIX_DEPT.search(note[max(0, m.start() - 12) : m.start()])
            department = _department(prefix.group(1)) if prefix else None
            found.append(Mention(m.group(), m.group()[-1], department, m.span()))
            taken.append(m.span())
    # a surname the note tells ("出纳姓时，时姐说…") names a person even when not on the list
    told = "".join({m["sur"] for m in _TOLD.finditer(note)})
    if told:
        for m in re.finditer(rf"[{re.escape(told)}](?:{_HONORIFICS})", note):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                title = m.group()[1:]
                found.append(Mention(m.group(), title, _department(title), m.span()))
                taken.append(m.span())
    for m in _ROLE_CN.finditer(note):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        if any(word == m.group() and at < m.start() for word, at in prefixes):
            continue  # "找采购的唐经理，唐经理说采购只管下单": his department, no one new
        found.append(Mention(m.group(), m.group(), _department(m.group()), m.span()))
    for m in _NAMED_EN.finditer(note):
        title = "" if m.group("hon") in ("Xiao", "Lao", "Ah") else m.group("hon")
        found.append(Mention(m.group(), title, None, m.span()))
        taken.append(m.span())
    for m in _SAN.finditer(note):
        if not any(x < m.end() and m.start() < y for x, y in taken):
            found.append(Mention(m.group(), "san", None, m.span()))
            taken.append(m.span())
    for m in _BARE_EN.finditer(note):
        key = next(k for k in ("name", "name2", "name3", "name4") if m.group(k))
        a, b = m.span(key)
        if not _CAPITALISED.fullmatch(m.group(key)) or any(x <= a < y for x, y in taken):
            continue
        found.append(Mention(m.group(key), "", None, (a, b)))
        taken.append((a, b))
    # "老板叫王建国", "财务刘晓梅 186…", then wherever said
    full_names = {m["full"] or m["nick"] for m in _FULL_NAME.finditer(note)}
    for name in sorted(full_names - {n for n in full_names if n[:2] in _NOT_FULL_NAMES}):
        for said in re.finditer(re.escape(name), note):
            if not any(x < said.end() and said.start() < y for x, y in taken):
                found.append(Mention(name, "", None, said.span()))
                taken.append(said.span())
    for m in _NICKNAME.finditer(note):  # "阿强", "胖哥"
        if not any(x < m.end() and m.start() < y for x, y in taken):
            found.append(Mention(m.group(), "", None, m.span()))
            taken.append(m.span())
    # "预算员小妥，小妥说…": 小 and a given name said twice, or who speaks
    for m in _XIAO.finditer(note):
        said_again = note.count(m.group()) > 1 or _SPEAKS.match(note, m.end())
        if said_again and not any(x < m.end() and m.start() < y for x, y in taken):
            found.append(Mention(m.group(), "", None, m.span()))
            taken.append(m.span())
    for pattern in (_GIVEN_EN, _NAME_IN_CN):
        for m in pattern.finditer(note):
            a, b = m.span("name")
            if m["name"] in _NOT_NAMES or any(x < b and a < y for x, y in taken):
                continue
            name, title, (a, b) = _in_kin_words(note, a, b)
            found.append(Mention(name, title, None, (a, b)))
            taken.append((a, b))
    roles: list[tuple[int, int]] = []
    for m in _ROLE_EN.finditer(note):
        role = m.group("role")
        found.append(Mention("", role.lower(), _department(role), m.span("role")))
        roles.append(m.span("role"))
    for m in _ROLE_EN_BARE.finditer(note):
        a, b = m.span("role")
        if any(x < b and a < y for x, y in roles + taken):
            continue
        if (a and _CJK.match(note, a - 1)) or _SUBJECT_OF.match(note, b):
            found.append(Mention("", m["role"].lower(), _department(m["role"]), (a, b)))
    found.sort(key=lambda x: x.span)
    # "找财务。财务屈姐…": the role said alone earlier is the one named after it
    in_role = {word: m for word, at in prefixes for m in found if m.span[0] == at and _named(m)}
    return tuple(_drop_appositive_roles(note, found, in_role))


# a full name said after a role or 叫, with no title: "老板叫王建国", "财务刘晓梅 186…"
_FULL_NAME = re.compile(
    rf"(?:叫|名叫|老板娘|老板|财务总监是|财务|会计|出纳|总监|主管|秘书|助理|厂长|老总|董事长|"
    rf"总经理|经理是|总监是|人是|经理)"
    rf"(?P<full>[{SURNAMES}][^\W\d{_STOP}a-zA-Z一二三四五六七八九十]{{1,2}}?)"
    rf"(?=[，,。；;！!？?\s\d]|说|讲|手机|电话|座机|的|人在|在|有|管|拍板|签|要|周|每|$)"
    # "叫小芳": a name said with 小, 老 or 阿 after 叫
    rf"|(?<=叫)(?P<nick>[小老阿][^\W\d{_STOP}a-zA-Z])(?=[，,。；;！!？?\s]|$)"
)
# words that begin with a surname: "跟老板关系好" names no one
_NOT_FULL_NAMES_SAID = (
    "关系 方便 高兴 江湖 黄金 毛病 程序 文件 包括 全部 全款 安排 常常 明白 向来 于是 司机 "
    "马上 石头 应该 余额 严重 宁可 周转 金额 范围 任务 季度 陆续 钟头 曾经 华南 华东 华北"
)
_NOT_FULL_NAMES = frozenset(_NOT_FULL_NAMES_SAID.split())
# nicknames: 阿强, 阿斌; 胖哥, 强哥 (not 阿姨, 阿拉 "we" in Shanghainese)
# (阿妹, 阿爸, 阿婆 … are kin, not names)
# 小 and a given name that is no surname (小丽, 小妥, 小雪), but not a word that starts with 小
_NOT_AFTER_XIAO = (
    "时心票孩子区组姑伙店卖额米吃菜学车费数半部事件些朋点声份批量气型号样写巧品说便鬼弟妹妞哥姐舅老"
    "的了是在和就也都不没我你他她它们额账单公厂块钱万千百十一二三四五六七八九两几多少微信猫"
)
# (not after a surname: 陈小丽 is a full name)
_XIAO = re.compile(rf"(?<![小老大{SURNAMES}])小[^\W\d{_NOT_AFTER_XIAO}{SURNAMES}a-zA-Z]")
_SPEAKS = re.compile(r"说|讲|话(?!费)|接的|接了")
_NICKNAME = re.compile(
    r"阿[^\W\d说话讲找让给的了是和跟在把被叫问推打付还钱拉姨妹姐哥爸妈婆公伯叔a-zA-Z]"
    r"|(?:胖|瘦|强|彪|军|涛|伟|斌|杰|亮|辉|华|龙|虎|飞|鹏|峰|东|波)(?:哥|姐)|胖子"
)
# a note in Cantonese, where 生 and 太 after a surname are Mr and Mrs
_CANTONESE = re.compile(r"佢|哋|唔|喺|咗|嘅|冇|係|听日|聽日|而家|边个|點解|点解")
_NAMED_CANTONESE = re.compile(rf"[{SURNAMES}](?:生|太)(?![生太])")
_NOT_CANTONESE_NAMES_SAID = "卫生 毕生 花生 余生 平生 文生 云生 后生 太太 老太"
_NOT_CANTONESE_NAMES = frozenset(_NOT_CANTONESE_NAMES_SAID.split())
# "姓时": a surname the note tells, on the list or not
_TOLD = re.compile(rf"姓(?P<sur>[^\W\d{_STOP}a-zA-Z{SURNAMES}])")
_SURNAME_SAID = re.compile(rf"[^，,。；;]{{0,4}}?姓[^\W\d{_STOP}a-zA-Z]")
# "财务经理的号码，150…，姓邓，邓经理说": the surname told a little later, in the same sentence
_SURNAME_LATER = re.compile(rf"[^。；;！!？?\n]{{0,30}}?姓(?P<sur>[^\W\d{_STOP}a-zA-Z])")
_CLAUSE_GAP = re.compile(r"^[，,、\s]*")
# what may stand between a role and the name it introduces: "finance那边的Linda",
# "现在财务是陈姐负责", "the boss Mr Chen"
_ROLE_THEN_NAME = re.compile(
    r"^(?:\s|,|:|'s|部|经理|那边|的|是|就是|由|叫|名叫|lady|guy|girl|woman|man|is|was|name|number)*$",
    re.IGNORECASE,
)
# "Mr Ou the GM", "Jenny the cashier": a role said after the name
_NAME_THEN_ROLE = re.compile(r"^\s*[,(（]?\s*(?:the|our|their)?\s*$", re.IGNORECASE)


# "Kevin是他们新来的财务经理", "李姐就是出纳": a role said of the one just named
_NAME_IS_ROLE = re.compile(r"^\s*(?:是|就是)(?:他们|她们|我们|公司|那边)?(?:的)?(?:新来的|新)?$")


def _named(x: Mention) -> bool:
    return bool(x.name) and x.name != x.title


def _surname_of(x: Mention) -> str:
    return x.name[1:2] if x.name[:1] in "小老阿" and not x.title else x.name[:1]


def _drop_appositive_roles(
    note: str, found: list[Mention], in_role: dict[str, Mention] | None = None
) -> list[Mention]:
    """A role said just before a name is that person: "the accountant Mrs Zhou", "财务总监姓黄",
    "财务经理的号码…，姓邓，邓经理", "找采购，采购的何经理"."""
    kept: list[Mention] = []
    # "老板娘姓汪，汪姐": 老板娘 said anywhere is 汪姐
    named_as: dict[str, Mention] = dict(in_role or {})
    for i, x in enumerate(found):
        role = x.name == x.title or not x.name
        nxt = found[i + 1] if i + 1 < len(found) else None
        named_next = nxt is not None and _named(nxt)
        if role and named_next and nxt and _ROLE_THEN_NAME.match(note[x.span[1] : nxt.span[0]]):
            # "the GM's number … The GM is Mr. Yip", "都是老板娘管 老板娘晏姐": every "the GM"
            # and every 老板娘 is that person
            named_as.setdefault(x.title, nxt)
            continue  # "the boss Mr Chen"
        before = found[i - 1] if i else None
        if (
            role
            and not x.name
            and before is not None
            and _named(before)
            and _NAME_THEN_ROLE.match(note[before.span[1] : x.span[0]])
        ):
            continue  # "Mr Ou the GM"
        if (
            role
            and x.name
            and before is not None
            and _named(before)
            and _NAME_IS_ROLE.match(note[before.span[1] : x.span[0]])
        ):
            continue  # "Kevin是他们新来的财务经理"
        said = _SURNAME_SAID.match(note, x.span[1], x.span[1] + 8) if role and x.name else None
        if said and (nxt is None or nxt.span[0] >= said.end() - 2):
            if nxt is not None and _named(nxt) and _surname_of(nxt) == said.group()[-1]:
                named_as.setdefault(x.name, nxt)
            continue  # "财务总监姓黄", but not 前台 in "前台说老板姓钟"
        if role and x.name and nxt is not None and named_next:
            later = _SURNAME_LATER.match(note, x.span[1], x.span[1] + 40)
            if later and later.end() <= nxt.span[0] + 1 and _surname_of(nxt) == later["sur"]:
                named_as.setdefault(x.name, nxt)
                continue  # "转到财务，接电话的是个男的姓吴，吴工说"
            gap = note[x.span[1] : nxt.span[0]]
            said_again = gap[_CLAUSE_GAP.match(gap).end() :]  # type: ignore[union-attr]
            if gap != said_again and said_again.startswith(x.name) and len(gap) <= 8:
                continue  # "找采购，采购的何经理": the role, then who in it
        kept.append(x)
    if named_as:
        kept = [
            Mention(n.name, n.title, x.department or n.department, x.span)
            if (x.name == x.title or not x.name) and (n := named_as.get(x.title)) is not None
            else x
            for x in kept
        ]
    return kept


def find_pronouns(note: str) -> tuple[tuple[int, int], ...]:
    """Spans of 她/他/she/he, which stand for the person last named."""
    return tuple(m.span() for m in _PRONOUN.finditer(note))
