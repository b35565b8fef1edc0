"""An import refused for the file's type or for a debtor that is not there says so in the
collector's language, and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from orgmap.domain.access import cli_actor
from orgmap.domain.validation import ValidationError
from orgmap.services import transfer
from orgmap.settings import load_settings

ADMIN = cli_actor("tester")


def refusal(engine: Engine, filename: str, raw: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        transfer.import_file(
            engine, filename=filename, raw=raw, settings=load_settings({}), actor=ADMIN
        )
    return caught.value


def test_an_unknown_file_type_is_refused_in_chinese_and_english(engine: Engine):
    (problem,) = refusal(engine, "contacts.xls", b"\xd0\xcf\x11\xe0").problems
    assert problem.text("zh-CN").startswith("无法识别的文件类型 '.xls'；请使用 .json")
    assert problem.text("en").startswith("unknown file type '.xls'; use .json")


def test_contacts_for_a_debtor_not_there_are_refused_in_chinese(engine: Engine):
    raw = "debtor_key,key,name,department\nghost,new1,小李,sales\n".encode()
    (problem,) = refusal(engine, "contacts.csv", raw).problems
    assert problem.text("zh-CN").endswith("没有编号为 'ghost' 的债务人；请先创建")
    assert problem.text("en").endswith("no debtor with key 'ghost'; create it first")
