"""traced/linux/access.py's verdict: the kernel's ptrace attach rules, as a table."""

from __future__ import annotations

import pytest

from traced.linux.access import Client, Creds, capability_names, privileges, verdict

CLIENT = Client(uid=1000, gid=100, pid=4242)
NS = 4026531837  # the daemon's user namespace (the initial one's usual inode)
OWN = Creds((1000,) * 4, (100,) * 4, 0, 0, 0, True, NS)
DAC_READ_SEARCH = 1 << 2


def own(**changes: object) -> Creds:
    return OWN._replace(**changes)


# (what the target is, its credentials, Yama's scope, descends from the client, why refused)
CASES = [
    ("its own", OWN, 0, False, None),
    ("another uid's", own(uids=(1001,) * 4), 0, False, "uids 1001 1001 1001"),
    ("root's", own(uids=(0,) * 4, gids=(0,) * 4), 0, False, "uids 0 0 0"),
    ("set-user-ID root", own(uids=(1000, 0, 0, 0)), 0, False, "uids 1000 0 0"),
    ("saved uid root", own(uids=(1000, 1000, 0, 1000)), 0, False, "uids 1000 1000 0"),
    ("only its fs uid another", own(uids=(1000, 1000, 1000, 0)), 0, False, None),
    ("set-group-ID", own(gids=(100, 0, 0, 0)), 0, False, "gids 100 0 0"),
    ("real gid another", own(gids=(5, 100, 100, 100)), 0, False, "gids 5 100 100"),
    (
        "a permitted capability",
        own(permitted=DAC_READ_SEARCH),
        0,
        False,
        "capabilities cap_dac_read_search",
    ),
    ("an effective one", own(effective=1 << 21), 0, False, "capabilities cap_sys_admin"),
    ("an ambient one", own(ambient=1 << 12), 0, False, "capabilities cap_net_admin"),
    ("not dumpable", own(dumpable=False), 0, False, "not dumpable"),
    ("in another user namespace", own(user_ns=NS + 1), 0, False, "another user namespace"),
    ("its own, Yama 1, not its descendant", OWN, 1, False, "yama ptrace_scope 1"),
    ("its own, Yama 1, its descendant", OWN, 1, True, None),
    ("its own, Yama 2", OWN, 2, True, "yama ptrace_scope 2"),
    ("its own, Yama 3", OWN, 3, True, "yama ptrace_scope 3"),
    ("root's, Yama 1, its descendant", own(uids=(0,) * 4), 1, True, "uids 0 0 0"),
]


@pytest.mark.parametrize(
    ("creds", "yama", "descendant", "refused"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_verdict_is_the_kernels(
    creds: Creds, yama: int, descendant: bool, refused: str | None
) -> None:
    assert verdict(CLIENT, creds, user_ns=NS, yama=yama, descendant=descendant) == refused


def test_an_exec_is_judged_on_what_the_image_gained_not_on_yama() -> None:
    # privileges() is what stopread asks at an exec: Yama judged the attach already.
    assert privileges(CLIENT, OWN, NS) is None
    assert privileges(CLIENT, own(permitted=DAC_READ_SEARCH, effective=DAC_READ_SEARCH), NS) == (
        "capabilities cap_dac_read_search"
    )


def test_capability_names_follow_capability_7() -> None:
    assert capability_names(0) == ""
    assert (
        capability_names(1 << 0 | 1 << 19 | 1 << 40)
        == "cap_chown,cap_sys_ptrace,cap_checkpoint_restore"
    )
    assert capability_names(1 << 63) == "cap_63"  # one this table does not know yet
