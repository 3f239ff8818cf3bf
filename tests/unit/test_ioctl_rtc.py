"""The RTC's parameter requests (families/ioctl_rtc.py): strace 6.1's text out, from
its runs of strace's ioctl_rtc tests."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument

PARAM_GET, PARAM_SET = 0x40187013, 0x40187014


def test_param_get_value_at_exit_or_the_address_after_a_failure() -> None:
    entry = struct.pack("<QQII", 0, 0, 0, 1)
    assert argument(PARAM_GET, entry, failed=True) == (
        f"{{param=RTC_PARAM_FEATURES, index=0, __pad=0x1}} => {ADDRESS:#x}"
    )
    got = struct.pack("<QQII", 0, 0xBEEF00, 0, 0)
    assert argument(PARAM_GET, entry, got) == (
        "{param=RTC_PARAM_FEATURES, index=0, __pad=0x1} => "
        "{uvalue=0xbeef00 /* 1<<RTC_FEATURE_??? */}"
    )


def test_param_set_value_by_parameter() -> None:
    correction = struct.pack("<QqII", 1, -1337, 66, 0)
    assert argument(PARAM_SET, correction) == (
        "{param=RTC_PARAM_CORRECTION, svalue=-1337, index=66}"
    )
    mode = struct.pack("<QQII", 2, 3, 0, 0x17)
    assert argument(PARAM_SET, mode) == (
        "{param=RTC_PARAM_BACKUP_SWITCH_MODE, uvalue=RTC_BSM_STANDBY, index=0, __pad=0x17}"
    )
    features = struct.pack("<QQII", 0, 0b11001101, 0, 0)
    assert argument(PARAM_SET, features) == (
        "{param=RTC_PARAM_FEATURES, uvalue=1<<RTC_FEATURE_ALARM|1<<RTC_FEATURE_NEED_WEEK_DAY"
        "|1<<RTC_FEATURE_ALARM_RES_2S|1<<RTC_FEATURE_BACKUP_SWITCH_MODE"
        "|1<<RTC_FEATURE_ALARM_WAKEUP_ONLY, index=0}"
    )
    unknown = struct.pack("<QQII", 3, 0, 0, 0)
    assert argument(PARAM_SET, unknown) == "{param=0x3 /* RTC_PARAM_??? */, uvalue=0, index=0}"
