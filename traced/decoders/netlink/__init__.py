"""Netlink messages, as strace prints the buffers of a netlink socket.

Kernel facts this package depends on:

* A netlink socket's data is a sequence of messages, each a ``struct nlmsghdr``
  (16 bytes: u32 nlmsg_len, u16 nlmsg_type, u16 nlmsg_flags, u32 nlmsg_seq, u32
  nlmsg_pid) then its payload, each message aligned to 4 bytes (NLMSG_ALIGN).
* Types below NLMSG_MIN_TYPE (0x10) are control messages whatever the protocol
  (NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN); above it each protocol
  (NETLINK_ROUTE, NETLINK_AUDIT...) has its own, and its own meaning of the flag
  bits 0x100-0x800 (a GET request's NLM_F_DUMP, a NEW one's NLM_F_CREATE).
* NLMSG_ERROR's payload is ``struct nlmsgerr`` (int error, then the header of the
  message it answers, with that message's payload unless NLM_F_CAPPED), then
  attributes when NLM_F_ACK_TLVS.
* Attributes (``struct nlattr``: u16 nla_len, u16 nla_type, then data aligned to
  4 bytes) carry the optional parts of a payload; nla_type's top two bits are the
  NLA_F_NESTED and NLA_F_NET_BYTEORDER flags.
* The protocol of a socket is not in the messages: the tracer asks the kernel,
  by the socket's inode (the Eth column of /proc/PID/net/netlink), which the shell
  does (traced.linux.procfs.netlink_protocol) and :mod:`.fds` hands the decoders.
  An unbound socket is not listed (a first send binds it): its messages are then
  printed as of an unknown protocol, as strace prints them.

The modules here are pure: memory in (the :class:`~traced.decoders.values.Memory`
protocol, read piece by piece as strace does, so that an unreadable part shows
where it starts), strace's text out.  Their tables (``_tables``, generated from the
kernel's headers) are imported only once a netlink socket's buffer is decoded.
"""
