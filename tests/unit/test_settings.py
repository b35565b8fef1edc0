"""Settings are checked where they are read, and files are read only when they are regular
files, never beyond a limit (orgmap.settings, orgmap.file_input)."""

from __future__ import annotations

import doctest
import io
import os
from pathlib import Path

import pytest

import orgmap.file_input
import orgmap.settings
from orgmap.file_input import (
    FileRefusedError,
    FileTooLargeError,
    read_limited,
    read_regular_file,
)
from orgmap.routing.weights import MAX_WEIGHTS_BYTES
from orgmap.settings import DEFAULT_MAX_IMPORT_BYTES, SettingsError, load_settings


def test_doctests_of_settings_and_file_input():
    # Neither module is under pytest's doctest paths (pyproject testpaths).
    for module in (orgmap.settings, orgmap.file_input):
        failed, tried = doctest.testmod(module)
        assert tried and not failed, module.__name__


def test_defaults():
    s = load_settings({})
    assert (s.phone_region, s.language, s.timezone) == ("CN", "zh-CN", "Asia/Shanghai")
    assert s.max_import_bytes == DEFAULT_MAX_IMPORT_BYTES and s.routing_weights is None
    assert s.database_url.startswith("sqlite:///") and s.user == ""


def test_accepted_forms(tmp_path):
    team = tmp_path / "team.toml"
    team.write_text("[disposition]\nfox = 5.0\n", encoding="utf-8")
    s = load_settings(
        {
            "ORGMAP_DATABASE_URL": "postgresql+psycopg://u@h:5432/db",
            "ORGMAP_PHONE_REGION": " hk ",
            "ORGMAP_LANG": "zh_cn",
            "ORGMAP_TIMEZONE": "UTC",
            "ORGMAP_MAX_IMPORT_BYTES": " 2048 ",
            "ORGMAP_USER": "李明",
            "ORGMAP_ROUTING_WEIGHTS": str(team),
        }
    )
    assert (s.phone_region, s.language, s.timezone, s.max_import_bytes) == (
        "HK",
        "zh-CN",
        "UTC",
        2048,
    )
    assert (s.user, s.routing_weights) == ("李明", str(team))
    assert load_settings({"ORGMAP_LANG": "EN"}).language == "en"
    assert load_settings({"ORGMAP_LANG": ""}).language == "zh-CN"  # empty is unset


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ORGMAP_MAX_IMPORT_BYTES", "abc", "not a number of bytes above 0"),
        ("ORGMAP_MAX_IMPORT_BYTES", "0", "not a number of bytes above 0"),
        ("ORGMAP_MAX_IMPORT_BYTES", "-5", "not a number of bytes above 0"),
        ("ORGMAP_MAX_IMPORT_BYTES", "1e6", "not a number of bytes above 0"),
        ("ORGMAP_MAX_IMPORT_BYTES", "9" * 5000, "not a number of bytes above 0"),
        ("ORGMAP_TIMEZONE", "Mars/Olympus", "not a time zone"),
        ("ORGMAP_TIMEZONE", "Asia", "not a time zone"),  # a folder of zones
        ("ORGMAP_TIMEZONE", "../../etc/passwd", "not a time zone"),
        ("ORGMAP_TIMEZONE", "Asia/Shanghai\x00", "not a time zone"),
        ("ORGMAP_LANG", "xx", "not a language of orgmap (zh-CN or en)"),
        ("ORGMAP_PHONE_REGION", "ZZ", "not a phone region"),
        ("ORGMAP_USER", "li\nming", "not a name"),
        ("ORGMAP_DATABASE_URL", "data/orgmap.db", "not a database URL"),
        ("ORGMAP_ROUTING_WEIGHTS", "/nonexistent", "cannot read routing weights: no such file"),
        ("ORGMAP_ROUTING_WEIGHTS", "/tmp", "cannot read routing weights: a folder"),
        # /dev/zero too, in a memory-capped child: tests/cli/test_hardening.py
        ("ORGMAP_ROUTING_WEIGHTS", "/dev/null", "cannot read routing weights: a device"),
    ],
)
def test_bad_values_raise_one_line_naming_variable_and_value(name, value, says):
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value})
    message = str(raised.value)
    assert message.startswith(f"{name}=") and says in message
    assert "\n" not in message and "\x00" not in message
    assert repr(value[:80])[:-1] in message  # the value, quoted (long ones cut short)
    assert len(message) < 300


def test_control_characters_in_a_value_are_escaped():
    hostile = "\u001b]0;PWNED\u0007\u001b[2J\r\u202eok"
    for name in ("ORGMAP_LANG", "ORGMAP_TIMEZONE", "ORGMAP_PHONE_REGION", "ORGMAP_USER"):
        with pytest.raises(SettingsError) as raised:
            load_settings({name: hostile})
        message = str(raised.value)
        assert not any(c in message for c in "\x1b\x07\r\u202e"), name
        assert r"\x1b]0;PWNED\x07\x1b[2J\r\u202eok" in message, name


def test_a_password_in_a_bad_database_url_is_not_shown():
    with pytest.raises(SettingsError) as raised:
        load_settings({"ORGMAP_DATABASE_URL": "postgres ql://li:s3cret@db/x"})
    assert "s3cret" not in str(raised.value) and "li:***@" in str(raised.value)


def test_a_login_name_that_is_no_name_is_not_used():
    assert load_settings({"USER": "li"}).user == "li"
    assert load_settings({"USER": "li\x1b[2J"}).user == ""
    assert load_settings({"USER": "li", "ORGMAP_USER": "wang"}).user == "wang"


def test_weights_file_is_checked_when_settings_load(tmp_path):
    team = tmp_path / "team.toml"
    for text, says in [
        ("[relation]\nrefers_to = 0.9\n", "relation.refers_to must be the cheapest"),
        ("not toml [", "not valid TOML"),
        ("[history]\ntimezone = 'Asia'\n", "history.timezone 'Asia' is not a time zone"),
        (b"\xff\xfe", "not UTF-8"),
        ("#" * (MAX_WEIGHTS_BYTES + 1), f"the limit is {MAX_WEIGHTS_BYTES:,}"),
    ]:
        if isinstance(text, bytes):
            team.write_bytes(text)
        else:
            team.write_text(text, encoding="utf-8")
        with pytest.raises(SettingsError) as raised:
            load_settings({"ORGMAP_ROUTING_WEIGHTS": str(team)})
        message = str(raised.value)
        assert message.startswith(f"ORGMAP_ROUTING_WEIGHTS={str(team)!r}: "), message
        assert message.count(str(team)) == 1 and says in message, message


# --- reading files ---------------------------------------------------------------------


class Endless(io.RawIOBase):
    """A stream of zeros that never ends (like /dev/zero), counting what is read."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = len(buffer)
        buffer[:n] = b"\0" * n
        self.given += n
        return n


def test_never_more_than_the_limit_plus_one_byte():
    stream = Endless()
    with pytest.raises(FileTooLargeError) as raised:
        read_limited(stream, max_bytes=3_000_000, name="zero")
    assert stream.given == 3_000_001
    assert raised.value.size is None and "more than 3,000,000 bytes" in str(raised.value)


def test_a_declared_size_above_the_limit_is_refused_unread():
    stream = Endless()
    with pytest.raises(FileTooLargeError) as raised:
        read_limited(stream, max_bytes=10, name="upload.json", size=11)
    assert stream.given == 0 and raised.value.size == 11
    assert read_limited(io.BytesIO(b"x" * 10), max_bytes=10, name="u", size=10) == b"x" * 10


def test_regular_file_exactly_at_the_limit(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, max_bytes=100) == b"x" * 100
    with pytest.raises(FileTooLargeError, match="is 100 bytes; the limit is 99"):
        read_regular_file(path, max_bytes=99)


@pytest.mark.timeout(30)
def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path, monkeypatch):
    # The name is checked, then opened: a FIFO put there in between must neither block
    # the open (no writer) nor be read; the opened descriptor is checked again.
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    regular = os.stat(__file__)
    real_stat = os.stat
    monkeypatch.setattr(
        orgmap.file_input.os, "stat", lambda p, *a, **k: regular if p == str(fifo) else real_stat(p)
    )
    with pytest.raises(FileRefusedError, match="named pipe"):
        read_regular_file(fifo, max_bytes=100)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/dev/zero", "a device, not a regular file"),
        ("/dev/null", "a device, not a regular file"),
        ("/", "a folder, not a regular file"),
        ("/nonexistent/x.json", "no such file"),
        ("/etc/hostname/x", "no such file"),
        ("a\x00b", "not a usable file name"),
    ],
)
def test_what_is_not_a_regular_file_is_refused(path, says):
    with pytest.raises(FileRefusedError) as raised:
        read_regular_file(path, max_bytes=100)
    assert says in str(raised.value) and raised.value.reason == says


def test_a_symlink_is_followed_to_what_it_names(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "ok").symlink_to(real)
    (tmp_path / "zero").symlink_to("/dev/zero")
    assert read_regular_file(tmp_path / "ok", max_bytes=100) == b"x = 1\n"
    with pytest.raises(FileRefusedError, match="a device"):
        read_regular_file(Path(tmp_path / "zero"), max_bytes=100)
