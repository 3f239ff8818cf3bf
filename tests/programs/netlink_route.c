/* Netlink messages a tracer decodes by the socket's protocol: an RTM_GETLINK dump
 * request with an attribute (sendto, twice: the first send binds the socket), an
 * RTM_GETADDR one (sendmsg), and an NLMSG_NOOP on a NETLINK_SOCK_DIAG socket; the
 * replies are not read. */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int route = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    int diag = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (route < 0 || diag < 0) return 1;
    struct {
        struct nlmsghdr nlh;
        struct ifinfomsg ifi;
        struct rtattr rta;
        unsigned int mask;
    } link;
    memset(&link, 0, sizeof link);
    link.nlh.nlmsg_len = sizeof link;
    link.nlh.nlmsg_type = RTM_GETLINK;
    link.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    link.nlh.nlmsg_seq = 1;
    link.rta.rta_len = RTA_LENGTH(sizeof link.mask);
    link.rta.rta_type = IFLA_EXT_MASK;
    link.mask = RTEXT_FILTER_VF;
    sendto(route, &link, sizeof link, MSG_DONTWAIT, NULL, 0);
    sendto(route, &link, sizeof link, MSG_DONTWAIT, NULL, 0);
    struct {
        struct nlmsghdr nlh;
        struct ifaddrmsg ifa;
    } addr;
    memset(&addr, 0, sizeof addr);
    addr.nlh.nlmsg_len = sizeof addr;
    addr.nlh.nlmsg_type = RTM_GETADDR;
    addr.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    addr.nlh.nlmsg_seq = 2;
    addr.ifa.ifa_family = AF_INET;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct iovec iov = {&addr, sizeof addr};
    struct msghdr msg = {&kernel, sizeof kernel, &iov, 1, NULL, 0, 0};
    sendmsg(route, &msg, MSG_DONTWAIT);
    struct nlmsghdr noop = {sizeof noop, NLMSG_NOOP, NLM_F_REQUEST, 3, 0};
    sendto(diag, &noop, sizeof noop, MSG_DONTWAIT, NULL, 0);
    close(diag);
    close(route);
    return 0;
}
