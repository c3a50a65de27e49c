// SPDX-License-Identifier: (GPL-2.0 OR MIT)
// A Service load balancer at the socket, as Cilium's kube-proxy replacement does it for pods (its "socket LB",
// bpf/bpf_sock.c in cilium/cilium: __sock4_xlate_fwd at connect()/sendmsg(), __sock4_xlate_rev at
// recvmsg()/getpeername()), small enough to read in one sitting.
//
//   connect4     connect() of a TCP or UDP socket to a ClusterIP:port -> pick a backend at random, rewrite the
//                address the socket connects to; remember the Service address for this socket (reverse map).
//   sendmsg4     sendto()/sendmsg() on an unconnected UDP socket: the same translation, per datagram.
//   recvmsg4     recvfrom()/recvmsg() on UDP: a datagram from a backend is reported as from the Service.
//   getpeername4 getpeername(): the Service address, not the backend's.
//
// The translation happens once per connect(), in the calling process's context: the packets that follow carry
// the backend address from the start, so no per-packet NAT, no conntrack entry and no netfilter rule is involved
// (the cost kube-proxy pays per new connection in its KUBE-SERVICES lookup is one hash lookup here, whatever the
// number of Services). The programs attach to a cgroup v2 directory that holds the client pod's processes.
//
// Maps, laid out as Cilium's (lb4_services_v2 keyed by address, port, slot, protocol; slot 0 is the Service
// itself with its backend count, slots 1..count name backends; lb4_backends by id; lb4_reverse_sk keyed by the
// socket cookie). Mirrored byte for byte in src/testbed/services/ebpfSocketLb.ts (which fills them with
// bpftool); change both together.

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SYS_PROCEED 1

/* Key of `services`. Address and port in network byte order; slot and protocol in host order. */
struct svc_key {
	__u32 address;
	__u16 dport;
	__u16 slot;     /* 0: the Service; 1..count: its backends */
	__u8 proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad[3];
};

/* Value of `services`: in slot 0 the backend count; in slots 1..count the backend id. */
struct svc_value {
	__u32 backend_id;
	__u16 count;
	__u16 pad;
};

/* Value of `backends`, keyed by a __u32 backend id (host order). */
struct backend {
	__u32 address;  /* network byte order */
	__u16 port;     /* network byte order */
	__u16 pad;
};

/* Key of `reverse_sk`: which backend a socket was sent to. */
struct rev_key {
	__u64 cookie;
	__u32 address;
	__u16 port;
	__u16 pad;
};

/* Value of `reverse_sk`: the Service address the application asked for. */
struct rev_value {
	__u32 address;
	__u16 port;
	__u16 pad;
};

/* Indices of `counters` (ebpfSocketLb.ts: COUNTER_INDEX). */
enum {
	CNT_CONNECT = 0,      /* connect() translated */
	CNT_SENDMSG = 1,      /* unconnected datagram translated */
	CNT_REV = 2,          /* recvmsg/getpeername answered with the Service address */
	CNT_NO_BACKEND = 3,   /* a Service with no usable backend: left untranslated */
	CNT_MAX = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 524288);
	__type(key, struct svc_key);
	__type(value, struct svc_value);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 524288);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rev_key);
	__type(value, struct rev_value);
} reverse_sk SEC(".maps");

#include "counters.h"

static __always_inline __u8 proto_of(struct bpf_sock_addr *ctx)
{
	return ctx->type == 2 /* SOCK_DGRAM */ ? IPPROTO_UDP : IPPROTO_TCP;
}

/* Forward translation: ClusterIP:port -> a backend chosen at random (kube-proxy's default, and Cilium's). */
static __always_inline int xlate_fwd(struct bpf_sock_addr *ctx, __u32 counter)
{
	struct svc_key key = {
		.address = ctx->user_ip4,
		.dport = (__u16)ctx->user_port,
		.slot = 0,
		.proto = proto_of(ctx),
	};
	struct svc_value *svc = bpf_map_lookup_elem(&services, &key);

	if (!svc)
		return SYS_PROCEED;  /* not a Service address: untouched */
	if (svc->count == 0) {
		count(CNT_NO_BACKEND);
		return SYS_PROCEED;
	}
	key.slot = (bpf_get_prandom_u32() % svc->count) + 1;
	struct svc_value *slot = bpf_map_lookup_elem(&services, &key);

	if (!slot) {
		count(CNT_NO_BACKEND);
		return SYS_PROCEED;
	}
	__u32 id = slot->backend_id;
	struct backend *be = bpf_map_lookup_elem(&backends, &id);

	if (!be) {
		count(CNT_NO_BACKEND);
		return SYS_PROCEED;
	}
	struct rev_key rk = { .cookie = bpf_get_socket_cookie(ctx), .address = be->address, .port = be->port };
	struct rev_value rv = { .address = key.address, .port = key.dport };

	bpf_map_update_elem(&reverse_sk, &rk, &rv, BPF_ANY);
	ctx->user_ip4 = be->address;
	ctx->user_port = be->port;
	count(counter);
	return SYS_PROCEED;
}

/* Reverse translation: a backend's address -> the Service's, for the socket that was sent there. */
static __always_inline int xlate_rev(struct bpf_sock_addr *ctx)
{
	struct rev_key rk = { .cookie = bpf_get_socket_cookie(ctx), .address = ctx->user_ip4, .port = (__u16)ctx->user_port };
	struct rev_value *rv = bpf_map_lookup_elem(&reverse_sk, &rk);

	if (rv) {
		ctx->user_ip4 = rv->address;
		ctx->user_port = rv->port;
		count(CNT_REV);
	}
	return SYS_PROCEED;
}

SEC("cgroup/connect4")
int sock4_connect(struct bpf_sock_addr *ctx)
{
	return xlate_fwd(ctx, CNT_CONNECT);
}

SEC("cgroup/sendmsg4")
int sock4_sendmsg(struct bpf_sock_addr *ctx)
{
	return xlate_fwd(ctx, CNT_SENDMSG);
}

SEC("cgroup/recvmsg4")
int sock4_recvmsg(struct bpf_sock_addr *ctx)
{
	return xlate_rev(ctx);
}

SEC("cgroup/getpeername4")
int sock4_getpeername(struct bpf_sock_addr *ctx)
{
	return xlate_rev(ctx);
}

char _license[] SEC("license") = "Dual MIT/GPL";
