"""A netlink socket's buffer as one argument's text: what the families' decoders
of sendto's, recvfrom's and the msghdrs' buffers call once the fd is known to be
a netlink socket (:mod:`.fds`).  NETLINK_KOBJECT_UEVENT's buffers are no
messages but udev's (:mod:`.uevent`); every other protocol's are.
"""

from __future__ import annotations

from traced.decoders.netlink.kinds import KOBJECT_UEVENT
from traced.decoders.netlink.messages import decode_messages
from traced.decoders.netlink.text import Reading
from traced.decoders.values import Memory, Options


def netlink_text(memory: Memory, address: int, length: int, protocol: int, options: Options) -> str:
    """The ``length`` bytes at ``address`` of a socket of ``protocol`` (-1: unknown)."""
    if protocol == KOBJECT_UEVENT:
        from traced.decoders.netlink.uevent import uevent_text  # noqa: PLC0415 (rare)

        return uevent_text(Reading(memory, options, protocol), address, length)
    return decode_messages(Reading(memory, options, protocol), address, length)
