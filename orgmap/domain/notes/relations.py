"""Phrases that link people and say how a call went.

>>> [(t.type, t.direction) for t in find_triggers("前台说找财务李姐，李姐又推给销售，王总说了算")]
[('refers_to', 'after'), ('passes_buck_to', 'after'), ('authorizes', 'before')]
>>> find_outcome("打了三次没人接")[0]
'no_answer'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ACKNOWLEDGED_AFTER",
    "ALREADY_PAID",
    "ALREADY_PAID_AFTER",
    "BACK_AND_FORTH",
    "CALLBACK",
    "CALLBACK_DAY_THEN_CALL",
    "CALLBACK_LATER",
    "CALLBACK_THAT_DAY",
    "CALLED_AGAIN",
    "DONE_AFTER",
    "GIVES",
    "INVOICE_FOR",
    "NEGATED_PAY",
    "NOT_MINE",
    "NOT_PROMISE",
    "NO_AUTHORITY",
    "PAYER_BEFORE",
    "PAY_BEFORE",
    "PAY_OFF",
    "PAY_THEN",
    "PROMISE_WORDS",
    "PUT_OFF",
    "REACHED",
    "THRESHOLD_AFTER",
    "WRONG_NUMBER",
    "Trigger",
    "find_outcome",
    "find_triggers",
]

_TRIGGERS = re.compile(
    r"(?P<passes_buck_to>推给|推到|踢给|又说找|又让我找|又叫我找|让我去问|叫我去问|让我问|推说找|"
    # "钱的事别找我，找财务"
    r"(?:别|不要|不用)找我[，,\s]*找|不归我管[，,\s]*找|"
    r"pushed me (?:back )?to|pushing me (?:back )?to|pushes me (?:back )?to|"
    r"passed me (?:back )?to|sent me back to|kicked me (?:back )?to|"
    r"bounced me (?:back )?to|said to ask|told me to ask|asked me to ask|要问|得问|要请示|"
    r"go back to|went back to)"
    r"|(?P<authorizes_after>老板是|说了算的是|负责审批的是|审批的是|拍板的是|审批人是|审批人为|"
    r"批准人是|审批(?:已经)?到了?|审批在|(?:the )?boss is(?= (?:Mr|Mrs|Ms|Miss)\b)|"
    # "管钱的是老板的弟弟", "批不批是总经理邢总的事", "approved by Mr. Xian", "公司的事都是老板娘管"
    r"管钱的(?:就)?是|(?:批不批|签不签|付不付)(?:是|得看|要看|看)|approved by|"
    # "钱都是她在管": whom the pronoun stands for
    r"(?:公司的事|钱的事|钱|钞票|付款|财务)(?:现在)?都(?:是|归|由)(?=[她他]在?管)|"
    # "钞票归温姐管": whose the money is (but "付款归财务部管" is whose desk, not whose say)
    r"(?:钱|钞票|付款)(?:现在)?归(?![^，,。；;\s]{0,8}?(?:部|处|科|室|财务))(?=[^，,。；;\s]{1,8}管)|"
    r"钱都在(?=[^，,。；;\s]{1,6}那)|approved (?:\w+ )?by|"
    # "都是她老公邓总管" (but "归采购总监管" only says whose desk it is on)
    r"都(?:是|归)(?=[^，,。；;\s]{1,8}管(?:[，,。；;\s]|$)))"
    r"|(?P<authorizes>是老板(?!娘)|是大老板|是老总|是大股东|是法人|是实际控制人|说了算|负责审批|管审批|"
    # ("他不管钱": not theirs)
    r"能拍板|拍板|签字才|签字就|(?<![不没])管钱(?!的)|管钞票|管铜钿|讲了算|话事|管付款审批|能签|可以签|"
    # "她管账" (but "管账的请假了" names no one)
    r"(?<![不没])管账(?!的)|"
    r"is the boss|is the owner|decides|"
    r"signs off|approves?(?: all| the)? payments?|can approve|makes the call|has the final say|"
    # "can release payments", "has to sign the payment request", "signs all cheques above 50k",
    # "he'll approve 60k", "needs to approve", "the one who signs"
    r"(?:can |to )?release (?:the |all |any )?payments?|(?:has|have|needs?) to (?:sign|approve)|"
    r"must (?:sign|approve)|signs (?:all|every|each|the)\b|(?:'ll|will) approve|one who signs|"
    r"(?:hasn'?t|has not|didn'?t|did not|won'?t) (?:yet )?(?:approved?|signed?)\b|"
    r"can sign\b|approved(?= (?:RMB|HK\$|\$|¥)?\s?\d)|signs everything|approves everything|"
    r"(?:is )?the one who (?:approves|signs|decides)|signed(?: it)? already|"
    r"agreed? to pay|not sign(?:ed)? yet|approves (?:all|every|each|any)\b|signed off\b|"
    r"\bto sign (?:first|it|off)\b|签核|holds? the purse strings|(?:already|has) signed\b)"
    # said right after the person: "等王总签字", "李总签了字就付"
    # ("赵经理：已批" says it is approved, not who approves)
    # ("那批口罩": 批 counts goods)
    r"|(?P<authorizes_adjacent>签了字|签完字|签好字|签过字|签的字|签字|签了|批了|"
    r"(?<![已那这一两每])批(?![评发量次单号准货])|点头|"
    r"点了头|点过头|发话了?|核准|签批|批准|"
    # "阮姐在管", "都是她老公邓总管": the one right before manages the money
    r"(?<![不只别])在管(?!理|不了)|"
    # "鲍会计：等老板签。"
    r"(?<=[板总董长])签(?=[，,。；;\s]|$))"
    # said right after a leader only: "老板同意了" (but "赵经理同意了先付" is no authority)
    # and "老板娘讲了，先拨万五", "老板原话：该给的给": the leader's word, then a payment
    r"|(?P<authorizes_leader>同意了|同意付|原话|"
    r"(?:讲|说|定)了(?=[，,：:]\s*[^。；;！!？?不没别]{0,16}?(?:付|拨|打(?![电过来])|给|结|还|清)))"
    r"|(?P<refers_to>对接人是|联系人是|转到|转给|(?:is |are )?handled by|"
    r"让我找|叫我找|说找|要我找|告诉我找|介绍了?|给了我?|给我|付款找|说打给|让我打给|"
    r"(?:的事|这块|这事|(?<=[款钱]))儿?(?:要|得|去|就|都)?(?:找|问(?![题过了]))|可以(?:先|直接)?找|"
    r"go(?:es)? through|"
    # "让我下周二下午两点再打给陈总": the time said between
    r"(?:让|叫|要)我[^，,。；;！!？?\n]{1,10}?(?:打给|打畀|找|搵|揾|联系)|"
    # "让我那时候打麦姐的座机"
    r"(?:让|叫|要)我[^，,。；;！!？?\n]{0,10}?打(?=[^，,。；;\s]{1,4}?的?(?:座机|手机|电话|办公室))|"
    r"gave me|referred me to|told me to call|put me through to|transferred me to|said to call|"
    r"introduced me to|said to talk to|said talk to|told me to go to|asked me to go to|"
    r"told me to chase|(?:payments?|it) (?:is|are) with|transfer(?:red)?\s*(?:me\s+)?(?:to|给)|"
    r"put me (?:through )?(?:on )?to|"
    # "小王→采购周工→财务鲍会计": a chain written with arrows
    r"→|->|=>)"
    # "小王说财务室电话是…，找钱会计": a clause that starts with 找 (the speaker is checked)
    r"|(?<=[，,：:])\s*(?P<refers_bare>(?:去|就|再)?找|搵|揾|ask\b)(?![到了过不])"
    # "小王说财务的叶姐在，帮我转过去": put through to the one just named (but "钱转过去了" is a
    # transfer of money)
    r"|(?P<refers_back>(?:帮我|给我)?(?<![钱款账])转过去了?(?!的))",
    re.IGNORECASE,
)
_OUTCOMES = (
    (
        "wrong_number",
        re.compile(
            r"打错|空号|不是这家|号码错|号码不对|查无此人|停机|少一位|少了一位|多一位|多了一位|"
            r"位数不对|不认识|没(?:有)?这个人|"
            r"现在是一家|换了主人|没有?[^，,。；;\s]{0,4}这个人|作废|删掉|删除|(?<=\s)删(?=$|[。，,\s])|"
            # ("no Mr Wang here"; but "no one there" is no answer)
            r"\bno (?!one\b|body\b)\w+ (?:there|here)\b|not the company|"
            r"belongs to (?:a|an|another)\b|"
            r"(?<=\d)\s?不用了|停用|不是他们(?:公司|家)?|是错的|out of service|is dead|dead number|"
            r"\bis now an?\b|company now|never heard of|is (?:his|her) home|"
            r"是一家[^，,。；;\s]{0,6}(?:店|诊所|公司|厂|站|中心|餐厅|饭店)|退租|搬走了|"
            # "打过去是个饭馆", "这号早换人了", "说这是他家，合作社早搬了"
            r"是个(?:饭馆|饭店|餐馆|小卖部|超市|店|私人|个人)|(?:号|号码|(?<=\d))\s?[^，,。；;\s]{0,3}换人了|"
            r"这是他家|这是我家|早搬了|厝里|无这个人|无此人|给错了|号码[^，,。；;\s]{0,6}换了|"
            r"是个[^，,。；;\s]{1,6}(?:铺|馆|档|摊)|"
            r"no longer in service|not in use|\bis an? [a-z]{3,20}(?: [a-z]{3,20})? now\b|"
            r"other company|(?:they|company) (?:have |has )?moved|moved already|"
            r"wrong number|not in service|no such person|disconnected|"
            r"now belongs to|"
            # in Cantonese: "换咗号", "个号码应该转咗手", "搵错公司", "冇小王呢个人",
            # "系一间茶餐厅", and a fax tone
            r"换咗号|转咗手|(?:搵|揾)错|冇[^，,。；;\s]{0,6}(?:呢|这)个人|系一间|传真机声|fax tone",
            re.IGNORECASE,
        ),
    ),
    (
        "no_answer",
        re.compile(
            r"没人接|无人接|不接电话|没接|未接|关机|占线|一直响|打不通|联系不上|(?:也|都)没回|"
            r"冇人听|冇人接|冇覆|(?<![都也])不接(?!受|手)|也?不回(?!来|去|款)|也没人|"
            r"nobody (?:answer|pick)|not answer|no one answer|"
            r"no answer|didn'?t pick up|"
            r"did not pick up|not picking up|voicemail|switched off|nobody answered|"
            r"no one (?:picked up|answered)|nobody picked up",
            re.IGNORECASE,
        ),
    ),
    (
        "refused",
        re.compile(
            # "付不付老板说了算" asks who decides; it refuses nothing
            r"拒绝|拒付|(?<!还)不还|(?<!付)不付|不会付|不会还|不认(?![识得])|报警|不给转|不肯转|不让转|"
            r"不松口|一分(?:钱)?都(?:莫得|没有|不给|不拨)|"
            r"有本事|去法院告|去法院起诉|去告|找法院|不同意付|不得付|一分(?:钱)?不给|一律不转|"
            r"也不会付|也勿会付|勿会付|"
            r"不给钱|不认账|不承认|赖账|骂人|骂了|骂我|投诉|挂了|挂断|挂我电话|"
            r"refus|won'?t pay|will not pay|not going to pay|hung up|hangs up|swore at",
            re.IGNORECASE,
        ),
    ),
    (
        "promised",
        re.compile(
            # "审批了才能付", "点了头就能付", "能付多少付多少": a condition or a hedge, no promise
            # "上个月答应的那两万": a promise talked about, not made
            r"答应(?!的)|承诺|保证|会付|先付|会还|(?<![才就])能付(?!多少)|可以付|安排付|打款|"
            r"一分(?:钱)?(?:都)?不(?:会)?少|"
            r"(?<!can't )(?<!cannot )(?<!won't )(?<!not )promis|will pay|agreed to pay|"
            r"will transfer|will settle|"
            # a payment said with a week or a month but no day: promised, no date to suggest
            r"(?:下周|下礼拜|下星期|下个?月|过几天|过两天)(?:再|就|会)?(?:付|还|打款|转账)|"
            r"pay (?:it )?next (?:week|month)",
            re.IGNORECASE,
        ),
    ),
)
CALLBACK = re.compile(
    # "再打6w" is a payment, not a call
    # "过了十分钟再打通了": what happened, not a call to make; "别再打了": not to call
    r"(?<!别)(?<!不要)(?<!不用)(?<!别老)"
    # ("10:40 再打，占线": what happened then)
    r"再打(?!\s*[\d一二两三四五六七八九十]+(?:\.\d+)?\s*(?:w|万|千|k|块|元))(?!通|了|还是|也|又)"
    r"(?![，,\s]*(?:占线|没人接|无人接|关机|不通|还是))(?!剩)|"
    r"再找(?=\S)|(?:让|叫|要)我[^，,。；;\n]{1,12}?找(?=\S)|"
    # "赵经理晚上回电话，说…": he called back, what happened
    r"回电(?!说|了|话?[，,了]|话说)|回我电话|回我(?!电话)|再核实|再试|再追|"
    r"(?:可以|能)(?:直接)?打(?!款|钱|通|过去)|"
    # "明天上午十点半再聊", "礼拜一返写字楼再倾" (Cantonese), "明早再核": talk again then
    r"再聊|再倾|再核|再谈|"
    r"再(?:跟|和|找|给)[^，,。；;\n]{1,8}?(?:核实|确认|联系|打|对账?)|"
    r"(?:让|叫|要)我[^，,。；;\n]{0,12}?打(?!款|钱|过来)|"
    r"再联系|再call|回拨|再跟进|再问|再催|打回去|"
    # "明天让组长打": the team takes the next call
    r"(?:让|叫|换)(?:组长|主管|同事|领导)(?:再)?打|"
    r"call (?:her |him |them |me |us )?back|call (?:him|her|them)\b|"
    r"call again|callback|ring back|try again|follow up|will try|try (?:her|him|them) again|"
    r"try (?:again |him |her |them )?(?:after|at|around|before)\b|try [A-Z]\w+ again|"
    r"\btry (?:him|her|them)\b|给(?:他|她)打(?!款|钱)|"
    # "你们下周二上午打过来": the time to call them; "get back to me by Monday": theirs to call
    r"(?:你们|你)(?:[^，,。；;\n钱款]){0,16}?打过来|给我(?:答复|回复|回话|回个话|回个电话|信儿)|"
    # "老板说下周一给答复"; "will retry tmr 3pm", "suggested calling Jan 6", "call Xiao Wang back"
    r"给(?:个)?答复|\bretry\b|\bsuggest(?:ed|s)? calling\b|"
    r"\bcall [A-Z][a-z]+(?: [A-Z][a-z]+)? back\b|"
    # "cb 周一早9点": call back, typed short; "Try Monday 9:30", "Call Ada Tue morning"
    r"\bcb\b|\b(?:try|call)\s+(?:[A-Z][a-z]+\s+)?(?=(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b"
    r"|tomorrow\b|tmrw?\b|tonight\b|on the \d)|"
    # "礼拜一上午我直接打黄总": the collector's own next call
    r"我(?:直接|就)打(?!款|钱|了|通|过)|"
    r"get back to (?:me|us)|\bwill call\b|\brevert\b|\bto call (?:after|at|before)\b|"
    r"\bring (?:him|her|them|back|(?:Mr|Ms|Mrs|Miss)\b)",
    re.IGNORECASE,
)
# "今晚打老板手机", "下周一下午打": a day (or a part of a day said after a date), then the
# call; "上午打小王" opening a note is what was done, and "财务明天上午打，三万六" is a payment
CALLBACK_DAY_THEN_CALL = re.compile(
    r"(?:(?:今晚|明早|明晚|今早|明天|后天|周[一二三四五六日末]|礼拜[一二三四五六天])"
    r"(?:[上下]午|晚上|早上|\s?pm|\s?am|上班后|下班前)?|(?<=[号日])[上下]午)"
    r"(?:再)?打(?!款|钱|了|通|不通|过来|\s*[\d一二两三四五六七八九十])"
    # "下午三点以后打财务苗姐": a time, then the call; "明天上午在打过来": 再 typed as 在
    # ("晚上九点打过来": they called us)
    r"|(?<=[点半])(?:以后|之后|后|左右)?(?:再|好)?打(?!款|钱|了|通|不通|过来|\s*[\d一二两三四五六七八九十])"
    r"|(?<=[天午点半号日一二三四五六])在打(?!款|钱|了|通|不通|着)"
    # "让晚上打他手机", "中午吃饭的时候打他手机"
    r"|(?<=[晚中下上]午|晚上|时候)(?:再)?打(?=[他她]|[^，,。；;\s]{1,4}?手机)"
)
# who pays, said before such a day: then 打 is the transfer
PAYER_BEFORE = re.compile(r"财务|出纳|会计|公司|他们|老板")
# the collector called again later in the note: the call-back said before it was made
CALLED_AGAIN = re.compile(
    r"(?:我)?又打(?:过去|了)?|再打过去了|(?:我|I) (?:called|rang) (?:again|back)"
)
# "半小时后再打", "过一个钟再打", "in an hour": a call-back counted from the call
CALLBACK_LATER = re.compile(
    r"(?:过\s?)?(?P<n>半|\d{1,2}|[一两二三四五六七八九十]{1,2})\s?个?半?\s?(?P<unit>小时|钟头|钟|分钟)"
    r"(?:以?后|之后|再|(?<=钟))"
    r"|\bin (?:(?P<half>half an hour)"
    r"|(?:an? |(?P<en>\d{1,2}) )(?P<enunit>hours?|minutes?|mins?))\b"
    # "call back in two weeks", "三天后再打", "过两周再联系": a day, at the usual hour
    r"|\bin (?P<ennum>\d{1,2}|a|one|two|three|four) (?P<enlong>days?|weeks?)\b"
    r"|(?:过\s?)?(?P<cnn>\d{1,2}|[一两二三四五六七八九十]{1,2})\s?个?(?P<cnlong>天|星期|礼拜|周)"
    r"(?:以?后|之后)?(?=再)",
    re.IGNORECASE,
)
# a wrong number said in the clause of a phone number or just after it: "打过去是卖保险的，打错了"
WRONG_NUMBER = _OUTCOMES[0][1]
# someone answered after all ("打了两次没人接，第三次小王接了"): not "no answer"
REACHED = re.compile(
    r"(?<!没人)(?<!无人)(?<!没)(?<!不)接了|接通|(?<![没不])通了|回过来|"
    r"(?<!no one )(?<!nobody )(?<!n't )(?<!not )\b(?:picked up|answered|got through)\b",
    re.IGNORECASE,
)
# "这事他说了不算，要问陈总": the one we are sent to next decides
# "结算不归他管，推给…", "it's not their job, call Ms. Xian": whoever sends us on after saying
# this passes the buck rather than refers
NOT_MINE = re.compile(
    r"管不了|不归[我他她]们?管|不是[我他她]们?(?:的事|管的|负责)|不(?:由|归)[我他她]们?负责|不负责|"
    r"不关[我他她]们?的事|没有?关系|无关|(?:新公司|他们|公司)不认|"
    r"not (?:my|his|her|their|our) (?:job|business|call|department|problem)|nothing to do with|"
    r"(?:doesn'?t|don'?t|does not|do not) handle|not responsible|"
    r"只管|只负责|[她他]不管|不管(?:厂里的)?账|only (?:raises|handles|does|deals with)|'s fault|"
    # "这事儿甭找他", "他就是个跑业务的", "叫我别催他", "不归俺管", "钱他批不了"
    r"甭找|别找[我他她]|(?:就是|只是)个?(?:跑业务|搞技术|打工|传话)|别催[我他她]|不归俺管|"
    r"[批签]不了|不管钱|不管付款|做不了主|作不了主|(?:is )?only the receptionist|can'?t help",
    re.IGNORECASE,
)
# the referral phrases that hand over a number or a person, not a question to ask
GIVES = re.compile(r"给|介绍|打|gave|introduced|referred|→|->|=>", re.IGNORECASE)
BACK_AND_FORTH = re.compile(
    r"来回推|推来推去|来回踢|踢皮球|踢回|互相推|两边推|推回|绕回|绕圈|扯皮|"
    r"踢来踢去|两边踢|两头推|互推|互相踢|推过来推过去|(?:兜|转|绕)(?:了|咗)?一[个大]?圈|"
    r"back and forth|ping-?pong|in circles|round in circles|loop again|round and round",
    re.IGNORECASE,
)
NO_AUTHORITY = re.compile(
    r"说了不算|说的不算|做不了主|作不了主|决定不了|定不了|没有权限|没权|"
    r"not (?:his|her|my) call|can'?t decide|cannot decide|no authority",
    re.IGNORECASE,
)
# a clause that says a payment will not happen: its date and amount are no promise
NEGATED_PAY = re.compile(
    r"付不了|还不了|付不出|还不上|付不起|没钱付|没法付|没办法付|不能付|无法付|"
    # "月底前不行": the date said is refused
    r"不行|不可能|来不及|赶不上|做不到|"
    r"can'?t pay|cannot pay|unable to pay|not able to pay|can'?t make it|won'?t pay|"
    r"will not pay|not going to pay|拿不出|凑不出|不得付|一分钱都不|"
    # "钱今天没付出去", "冇得办法付" (Hunan, Cantonese), "无法度" (Minnan)
    r"没付出去|没转出去|没打出去|冇得办法|冇办法|没得办法|无法度|打不了|转不了|付不出去|"
    r"拨不出|拨不了|一分都不",
    re.IGNORECASE,
)
# a clause that puts the payment off without a day ("剩7万年后再说"): no promise in it
PUT_OFF = re.compile(
    r"再说|再议|看情况|说不准|不一定|不定|没定|未定|能付多少|看回款|"
    r"we'?ll see|depends on|\bmaybe\b|\bperhaps\b|no promises?|can'?t promise|nothing promised|"
    r"挂着|先放着|暂缓|定不了|再讲",
    re.IGNORECASE,
)
# "货款 98,000 他认": the amount owned up to, a total
ACKNOWLEDGED_AFTER = re.compile(
    r"\s*(?:元|块)?\s*(?:他们?|她们?|对方)?(?:都|也)?(?:认|承认)(?!识)"
    # "confirmed ¥86,000 outstanding": what is owed
    r"|\s*(?:outstanding|owed|overdue|in total)\b",
    re.IGNORECASE,
)
# "负责一万以上的" / "anything above 10k": a threshold, not an amount promised (matched at the
# amount's end with match(text, pos), so no ^: it would only match at the start of the text)
THRESHOLD_AFTER = re.compile(
    r"\s*(?:以上|以下|以内|左右的都|or (?:more|above|less)|and (?:above|up))"
)
# "下个月15号以前付清，一共十八万六": paying it all, so the total is the amount
PAY_OFF = re.compile(
    r"付清|结清|还清|全部付|一次性付|全额付|pay (?:it )?(?:all|in full|off)|settle in full",
    re.IGNORECASE,
)
# "分两笔，12月1号6万，12月10号6万": paid in parts; the amount said before the parts is the whole
INSTALMENTS = re.compile(
    r"分[两二三四五几2-5](?:笔|期|次|批)|\bsplit (?:in(?:to)? )?(?:\d|two|three|four)\b"
    r"|\b(?:in )?(?:\d|two|three|four) (?:instal(?:l)?ments|tranches|parts)\b",
    re.IGNORECASE,
)
# "12月30号才到期，到时候付": the payment said in the next clause, for the date before
PAY_THEN = re.compile(
    r"^\s*(?:到时候?|届时|那时候?|当天|那天|到期|then|on that day|when (?:it'?s|it is) due)",
    re.IGNORECASE,
)
# "让我那天上午再打": the call-back day is a date said earlier
CALLBACK_THAT_DAY = re.compile(r"那天|当天|那个?时候?|到时候?|that day|then", re.IGNORECASE)
# (and "打电话拨我" is Shanghainese for "call me")
_PAY_BO = r"(?<![回话])拨(?!打|电话|号|通|过去|了?[一两三几]?[次遍个下]|给我|错)"
PROMISE_WORDS = re.compile(
    r"付|还|打款|转账|转|汇(?!报|总|票)|结(?!账|婚|束|果)|把钱打|钱打|打钱|打过来|(?<![没未])到[账帐]|俾|先给|给一半|"
    r"给(?:您|你|你们|我们)打过去|一分(?:钱)?(?:都)?不(?:会)?少|"
    # 拨 is to pay in Wenzhou and in 拨款 (but 回拨, 拨电话, 拨了两次 are calls); 过数 in Cantonese
    rf"{_PAY_BO}|过数|放款|出款|"
    r"pay|paid|settle|transfer|wire|promis|approve|goes out|go out",
    re.IGNORECASE,
)
NOT_PROMISE = re.compile(
    r"(?:(?<!把)欠|欠款|共欠|总共|过了|balance|一共|总额|总数|总账|合计|共计|逾期|不是|超过|超出|高于|发票金额|合同金额|合同额|"
    # "账上就剩一万八": what they have, not what they pay
    r"账上(?:就|只)?剩|"
    r"invoice (?:amount|total|of|for)|"
    r"owes?|owed|debt(?: of)?|total|outstanding(?: is)?|above|over|more than|up to|under|below|"
    # "the Sept car show bill 128,000": what a bill is for
    r"bill|"
    # "ours is 72k", "the balance is 40k": what is owed, said as a fact
    r"(?:ours|it|this|that|the (?:bill|amount|balance|debt|total)) is)"
    r"(?:\s*(?:RMB|HKD|HK\$|USD|US\$|CNY|\$|¥))?\D{0,3}$",
    re.IGNORECASE,
)
# "invoice 44030921 for 132,400", "发票 44030921 金额": what a document is for (read further back)
INVOICE_FOR = re.compile(
    r"(?:invoice|bill|order|PO|发票|订单)\s*(?:no\.?\s*|号\s*)?[\w-]*\d[\w-]*\s*(?:for|of|金额)\D{0,3}$",
    re.IGNORECASE,
)
# an amount said as already paid ("已经付了两万", "转了一万五") is not a promise
ALREADY_PAID = re.compile(
    # ("will be paid", "to be paid" are to come; "has been paid" is done)
    # ("以经转了": 已经, mistyped)
    # ("以经转了，一万八": 已经, mistyped, then the sum after a comma)
    r"(?:付了|转了|打了|还了|汇了|拨了|拨过|(?:已|以)经?(?:付|还|转|打|汇|结|把|拨)(?:款|了|过)?[，,]?|"
    # in Cantonese: "俾咗3万", "已经过咗5万"
    r"(?:俾|畀|过|给|转|付)咗|"
    r"already paid|"
    # ("昨天下午工行付的，4.2w", "钱11月30号就付了啊，87,200")
    r"(?<!be )paid|(?:付|转|打|汇)的(?:那|这)?笔?[，,]?|付了啊[，,]?|"
    # "付过一笔3万": paid once before
    r"(?:付|还|转|打|汇)过(?:一笔|一次|的)?|已(?:经)?在|"
    # "已付 on 12/15, 28,000": paid on that day, that amount
    r"(?:已付|已经付了?|already (?:paid|made|sent|transferred)|(?<!be )paid)"
    r"(?:\s+on\s+[^,，。.]{1,12})?[,，\s]+|已付 on|"
    # "was paid on Nov 30": the day it was paid, no promise
    r"(?<!will be )(?<!to be )(?<!shall be )(?:paid|transferred|sent|wired) on|"
    # "they paid 35k on Feb 3", "they transferred RMB 20,000 on Monday"
    r"\b(?:paid|transferred|sent|wired)\s+(?:RMB|CNY|HK\$|\$|¥)?\s?[\d.,]+\s?[kKwW万]?\s+on)\s*$",
    re.IGNORECASE,
)
# ... or said so after the amount: "两万已经打了", "the transfer of 18,000 went out this morning"
ALREADY_PAID_AFTER = re.compile(
    r"\s*(?:元|块)?\s*(?:已经|已|早就)(?:在[^，,。；;]{1,8})?(?:付|转|打|汇|还|拨|到账)"
    # "二十三万一次付清的", "那五万3月12号就付了"
    r"|\s*(?:一次性?)?(?:付清|结清)(?:的|了)|[^，,。；;]{0,8}?(?:就|早就|都)(?:付|转|打|汇|还|结)(?:了|过)"
    # "13,600 上周付了": paid on a day gone by
    r"|\s*(?:上周|上礼拜|上星期|昨天|前天|上个月)[^，,。；;]{0,4}?(?:付|转|打|汇|还)了"
    r"|[^，,。；;.]{0,25}?\b(?:went out|was (?:paid|sent|transferred|wired)|"
    r"has been (?:paid|sent|transferred|wired)|were (?:paid|sent|transferred))\b",
    re.IGNORECASE,
)
# "年底就结清了", "上周五就付了": done by that day, not promised for it
DONE_AFTER = re.compile(
    r"[^，,。；;\s]{0,3}?(?:就|已经|早就|都)(?:通过|在|从)?[^，,。；;\s]{0,6}?"
    r"(?:结清|付清|结|付|转|打|还|汇|拨)了"
    # "元旦前打的那两万": the day it was paid (but "月底前付的话" is a condition)
    r"|[^，,。；;\s]{0,2}?(?:付|转|打|汇)的(?!话)"
)
# the amount right after one of these is the one promised ("只能先付两万", "剩三万")
PAY_BEFORE = re.compile(
    r"(?:付|还|转|打款|打|付清|结清|剩[下的]?|先给|给|拨|过数|pay|repay|transfer|wire|"
    r"(?:batches|instalments|installments|tranches|payments) of)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Trigger:
    type: str  # refers_to, passes_buck_to or authorizes
    # where the other person is named: "after" the phrase, "before" it, "adjacent" (right before),
    # "leader" (right before, and a leader), or "bare" (after, and only when someone speaks)
    direction: str
    span: tuple[int, int]


def find_triggers(note: str) -> tuple[Trigger, ...]:
    """Relation phrases, in order."""
    found = []
    for m in _TRIGGERS.finditer(note):
        kind = m.lastgroup or ""
        if kind == "authorizes_after":
            found.append(Trigger("authorizes", "after", m.span()))
        elif kind == "authorizes_adjacent":
            found.append(Trigger("authorizes", "adjacent", m.span()))
        elif kind == "authorizes_leader":
            found.append(Trigger("authorizes", "leader", m.span()))
        elif kind == "refers_back":
            found.append(Trigger("refers_to", "back", m.span()))
        elif kind == "refers_bare":
            found.append(Trigger("refers_to", "bare", m.span("refers_bare")))
        elif kind == "authorizes":
            found.append(Trigger("authorizes", "before", m.span()))
        else:
            found.append(Trigger(kind, "after", m.span()))
    return tuple(found)


def find_outcome(note: str) -> tuple[str, tuple[int, int]] | None:
    """The first outcome the note states, in order of precedence, with its span."""
    for outcome, pattern in _OUTCOMES:
        for m in pattern.finditer(note):
            if (
                outcome == "no_answer"
                and _REPORTED.search(note, _sentence_start(note, m.start()), m.start())
                and not _DIALLED.search(note, _clause_start(note, m.start()), m.start())
            ):
                continue  # "小王说财务的人都不接电话": someone answered and said so
            return outcome, m.span()
    return None


# someone speaks before a "no answer" in its sentence: it is reported, not how the call went
_REPORTED = re.compile(r"说|讲|\b(?:said|says|told me)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！!？?；;\n]|\.(?:\s|$)")


# ... unless we dialled in that clause: "小王说找财务，财务的座机…一直没人接"
_DIALLED = re.compile(
    r"打|拨|电话|座机|手机|号码|\b(?:call|called|rang|tried|dialled)\b", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[，,、：:]")


def _clause_start(note: str, pos: int) -> int:
    start = _sentence_start(note, pos)
    for m in _CLAUSE_END.finditer(note, start, pos):
        start = m.end()
    return start


def _sentence_start(note: str, pos: int) -> int:
    start = 0
    for m in _SENTENCE_END.finditer(note, max(0, pos - 200), pos):
        start = m.end()
    return start
