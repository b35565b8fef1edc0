"""A bad ``ORGMAP_*`` variable stops the app before it draws anything, with the same one
line the CLI prints and no traceback; the upload page keeps to ORGMAP_MAX_IMPORT_BYTES."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.services.transfer import export_json
from orgmap.settings import SettingsError, load_settings
from tests.ui.apptest_helpers import APP, SeededDb, assert_clean, open_page

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)


def start(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> AppTest:
    monkeypatch.setenv(name, value)
    return AppTest.from_file(APP, default_timeout=30).run()


def shown(at: AppTest) -> list[str]:
    """The errors on screen, markdown's backslash escapes removed."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ORGMAP_TIMEZONE", "Mars/Olympus"),
        ("ORGMAP_MAX_IMPORT_BYTES", "abc"),
        ("ORGMAP_PHONE_REGION", "ZZ"),
        ("ORGMAP_ROUTING_WEIGHTS", "/dev/null"),
        ("ORGMAP_ROUTING_WEIGHTS", "/nonexistent"),
    ],
)
def test_bad_setting_is_one_line_and_nothing_else(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch, name: str, value: str
):
    at = start(monkeypatch, name, value)
    assert not at.exception, [e.value for e in at.exception]
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert shown(at) == [str(raised.value)]  # the line the CLI prints after "orgmap: error: "
    assert f"{name}={value!r}" in shown(at)[0]
    # Stopped before the sidebar: no language switch, no debtor picker, no page.
    assert not at.radio and not at.selectbox and not at.title and not at.text_input


ZH_SETTINGS = [
    ("ORGMAP_TIMEZONE", "Mars/Olympus", "时区", "Mars/Olympus"),
    ("ORGMAP_MAX_IMPORT_BYTES", "abc", "导入文件大小上限", "'abc'"),
    ("ORGMAP_PHONE_REGION", "ZZ", "电话号码默认地区", "'ZZ'"),
    ("ORGMAP_ROUTING_WEIGHTS", "/nonexistent", "团队路由权重文件", "/nonexistent"),
    ("ORGMAP_DATABASE_URL", "not a url", "数据库地址", "'not a url'"),
    ("ORGMAP_USER", "two\nlines", "默认操作人姓名", "two"),
]


@pytest.mark.parametrize(("name", "value", "setting", "shown_value"), ZH_SETTINGS)
def test_a_zh_cn_user_reads_which_setting_in_chinese_without_its_variable(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch, name, value, setting, shown_value
):
    monkeypatch.setenv("ORGMAP_LANG", "zh-CN")
    at = start(monkeypatch, name, value)
    assert not at.exception
    [message] = shown(at)
    assert "ORGMAP" not in message and "is not" not in message  # the CLI's words stay there
    assert message.startswith(f"设置有误：{setting}为 ") and shown_value in message
    assert not at.radio and not at.selectbox and not at.title


def test_an_unusable_language_setting_is_reported_in_chinese_the_default(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch
):
    [message] = shown(start(monkeypatch, "ORGMAP_LANG", "xx"))
    assert message.startswith("设置有误：界面语言为 'xx'") and "ORGMAP" not in message


def test_a_link_language_chooses_the_language_of_the_settings_error(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ORGMAP_LANG", "zh-CN")
    monkeypatch.setenv("ORGMAP_TIMEZONE", "Mars/Olympus")
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "en"
    [message] = shown(at.run())
    assert message == "ORGMAP_TIMEZONE='Mars/Olympus' is not a time zone (e.g. Asia/Shanghai, UTC)"


def test_bad_weights_file_is_named_with_the_broken_rule(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    team = tmp_path / "team.toml"
    team.write_text("[relation]\nrefers_to = 0.9\n", encoding="utf-8")
    at = start(monkeypatch, "ORGMAP_ROUTING_WEIGHTS", str(team))
    assert not at.exception
    [message] = shown(at)
    assert message.startswith(f"ORGMAP_ROUTING_WEIGHTS={str(team)!r}: ")
    assert "relation.refers_to must be the cheapest relation" in message


def test_control_characters_in_a_setting_do_not_reach_the_page(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch
):
    at = start(monkeypatch, "ORGMAP_TIMEZONE", "Asia/\u001b[2J\u202eShanghai")
    assert not at.exception
    [message] = shown(at)
    assert "\x1b" not in message and "\u202e" not in message
    assert r"\x1b[2J\u202eShanghai" in message


def test_a_good_team_weights_file_starts_the_app(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    team = tmp_path / "team.toml"
    team.write_text("[disposition]\nfox = 5.0\n", encoding="utf-8")
    at = start(monkeypatch, "ORGMAP_ROUTING_WEIGHTS", str(team))
    assert_clean(at)
    assert not at.error and at.radio


def _upload(at: AppTest, content: bytes) -> AppTest:
    open_page(at, "transfer")
    at.file_uploader(key="transfer_upload").upload("acme.json", content, "application/json").run()
    at.button(key="transfer_do_import").click().run()
    assert_clean(at)
    return at


def test_upload_limit_is_exact(db: SeededDb, monkeypatch: pytest.MonkeyPatch):
    doc = json.loads(export_json(db.engine, actor=ADMIN))
    doc["debtors"][0]["key"] = "acme-copy"
    content = json.dumps(doc).encode()
    at = start(monkeypatch, "ORGMAP_MAX_IMPORT_BYTES", str(len(content) - 1))
    _upload(at, content)
    assert f"limit is {len(content) - 1:,} bytes" in "\n".join(shown(at))
    assert "acme-copy" not in export_json(db.engine, actor=ADMIN)

    at = start(monkeypatch, "ORGMAP_MAX_IMPORT_BYTES", str(len(content)))
    _upload(at, content)
    assert not at.error, shown(at)
    assert db.map("acme-copy").debtor.name == db.map("acme").debtor.name
