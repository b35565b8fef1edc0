"""Debtor keys made from names (issue 11): pinyin or ASCII words, always a valid key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgmap.domain.debtor_draft import (
    DEBTOR_KEY_BASE_CHARS,
    debtor_key_base,
    suggest_debtor_key,
)
from orgmap.domain.fields import KEY_MAX_CHARS, check_key


@pytest.mark.parametrize(
    ("name", "base"),
    [
        # Places ending in 省/市/区/县 are one word each, and read apart from what follows
        # (otherwise pypinyin reads 市长安 as "mayor" and 长 as zhang).
        ("东莞市长安福满包装制品厂", "dongguanshi-changan-fuman-baozhuang"),
        ("湖南省长沙市岳麓区大华贸易有限公司", "hunansheng-changshashi-yueluqu-dahua"),
        # The legal form says nothing about which company it is.
        ("上海恒达机电设备有限公司", "shanghai-hengda-jidian-shebei"),
        ("重庆长安汽车股份有限公司", "chongqing-changan-qiche"),
        ("恒达机电", "hengda-jidian"),
        ("公司", "gongsi"),  # a legal form alone is kept
        # Polyphones read as the word they are in.
        ("银行", "yinhang"),
        ("厦门乐乐", "xiamen-lele"),
        ("绿地", "lvdi"),
        # Latin letters: lower case, accents and full width undone, punctuation between words.
        ("Acme Trading Co., Ltd.", "acme-trading-co-ltd"),
        ("Café Zürich GmbH", "cafe-zurich-gmbh"),
        ("ＡＢＣ商贸", "abc-shangmao"),
        ("华为（中国）", "huawei-zhongguo"),
        ("a_b", "a-b"),
        # Nothing to read: the sequence's base.
        ("★★", "debtor"),
        ("한국", "debtor"),
        ("   ", "debtor"),
    ],
)
def test_a_key_base_reads_the_name(name, base):
    assert debtor_key_base(name) == base


def test_a_long_name_is_cut_between_words():
    base = debtor_key_base("Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota")
    assert base == "alpha-beta-gamma-delta-epsilon-zeta-eta"
    assert debtor_key_base("x" * 100) == "x" * DEBTOR_KEY_BASE_CHARS


def test_a_taken_key_gets_the_next_free_number():
    assert suggest_debtor_key("恒达机电", taken=set()) == "hengda-jidian"
    assert suggest_debtor_key("恒达机电", taken={"hengda-jidian"}) == "hengda-jidian-2"
    taken = {"hengda-jidian", "hengda-jidian-2", "hengda-jidian-3", "hengda-jidian-shebei"}
    assert suggest_debtor_key("恒达机电", taken=taken) == "hengda-jidian-4"
    # Keys that merely start the same are no obstacle.
    assert suggest_debtor_key("Hengda", taken={"hengda-jidian"}) == "hengda"


def test_names_without_words_are_numbered():
    assert suggest_debtor_key("★", taken=set()) == "debtor-1"
    assert suggest_debtor_key("★", taken={"debtor-1", "debtor-2"}) == "debtor-3"
    assert suggest_debtor_key("Debtor", taken=set()) == "debtor-1"  # not the bare base


@given(
    st.text(max_size=80),
    st.sets(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=12)),
)
def test_a_suggested_key_is_always_valid_and_free(name, taken):
    base = debtor_key_base(name)
    assert check_key(base) == base
    assert len(base) <= DEBTOR_KEY_BASE_CHARS
    assert not base.startswith("-") and not base.endswith("-") and "--" not in base
    taken = {base, *(f"{base}-{n}" for n in range(1, 4)), *taken}
    key = suggest_debtor_key(name, taken=taken)
    assert check_key(key) == key and len(key) <= KEY_MAX_CHARS
    assert key not in taken
    assert key.startswith(base)


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=60))
def test_chinese_names_give_pinyin_keys(name):
    base = debtor_key_base(name)
    assert base == "debtor" or base.replace("-", "").isalpha()
