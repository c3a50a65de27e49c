// SPDX-License-Identifier: (GPL-2.0 OR MIT)
// A Cilium-like tc-eBPF datapath (tunnel mode), small enough to read in one sitting.
//
//   from_container  tc ingress of every host-side lxc veth (packets leaving a pod):
//                   destination is a local endpoint  -> rewrite MACs, bpf_redirect_peer() into that pod;
//                   destination is in a remote pod CIDR -> set the VXLAN tunnel key, bpf_redirect() to cilium_vxlan;
//                   otherwise                          -> count a miss, hand the packet to the stack.
//   from_overlay    tc ingress of cilium_vxlan (decapsulated packets from other nodes):
//                   destination is a local endpoint  -> rewrite MACs, bpf_redirect_peer() into that pod;
//                   otherwise                          -> count a miss, hand the packet to the stack.
//
// Real Cilium also answers the pods' ARP requests for the gateway from BPF; cnibench instead installs a
// permanent neighbour entry for the gateway in each pod, so these programs only ever see IPv4 frames
// (anything else is passed to the stack untouched).
//
// Map layouts are mirrored byte for byte in src/testbed/bpf/loader.ts (which fills them with bpftool);
// change both together.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Value of `endpoints`: a pod on this node. Key: the pod's IPv4 address, network byte order. */
struct endpoint_info {
	__u32 ifindex;     /* host-side lxc veth (in the node namespace); host byte order */
	__u8 pod_mac[6];   /* MAC of the pod's eth0 */
	__u8 lxc_mac[6];   /* MAC of the host-side lxc veth (the pod's gateway MAC) */
};

/* Key of `tunnels`: an LPM-trie key; prefixlen in host byte order, ip in network byte order. */
struct tunnel_key {
	__u32 prefixlen;
	__u32 ip;
};

/* Value of `tunnels`: underlay address of the node owning the prefix, network byte order. */
struct tunnel_value {
	__u32 remote_ipv4;
};

/* The single entry of `config`; host byte order. */
struct datapath_config {
	__u32 vxlan_ifindex;  /* ifindex of cilium_vxlan in this node's namespace */
	__u32 vni;            /* VXLAN network identifier put on encapsulated packets */
};

/* Indices of `counters` (loader.ts: COUNTER_INDEX). */
enum {
	CNT_LOCAL_REDIRECT = 0,
	CNT_TUNNEL_ENCAP = 1,
	CNT_OVERLAY_REDIRECT = 2,
	CNT_MISS = 3,
	CNT_MAX = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct endpoint_info);
} endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct tunnel_key);
	__type(value, struct tunnel_value);
} tunnels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct datapath_config);
} config SEC(".maps");

#include "counters.h"

/* Returns the IPv4 header of an Ethernet/IPv4 frame, or NULL for anything else (or a short frame). */
static __always_inline struct iphdr *ipv4_header(struct __sk_buff *skb, struct ethhdr **eth_out)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end)
		return NULL;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	*eth_out = eth;
	return ip;
}

/* Delivers the frame to a local pod: MACs as if routed by the node, then straight into the pod's netns. */
static __always_inline int redirect_to_endpoint(struct ethhdr *eth, const struct endpoint_info *ep, __u32 counter)
{
	__builtin_memcpy(eth->h_dest, ep->pod_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, ep->lxc_mac, ETH_ALEN);
	count(counter);
	/* Skips the host-side veth's backlog: the frame appears on the peer (pod eth0) ingress. */
	return bpf_redirect_peer(ep->ifindex, 0);
}

SEC("tc")
int from_container(struct __sk_buff *skb)
{
	struct ethhdr *eth = NULL;
	struct iphdr *ip = ipv4_header(skb, &eth);
	struct endpoint_info *ep;
	struct tunnel_value *tv;
	struct datapath_config *cfg;
	struct tunnel_key tk = {};
	struct bpf_tunnel_key key = {};
	__u32 zero = 0;
	__u32 daddr;

	if (!ip)
		return TC_ACT_OK;
	daddr = ip->daddr;

	ep = bpf_map_lookup_elem(&endpoints, &daddr);
	if (ep)
		return redirect_to_endpoint(eth, ep, CNT_LOCAL_REDIRECT);

	tk.prefixlen = 32;
	tk.ip = daddr;
	tv = bpf_map_lookup_elem(&tunnels, &tk);
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (tv && cfg && cfg->vxlan_ifindex) {
		key.remote_ipv4 = bpf_ntohl(tv->remote_ipv4); /* the helper wants host byte order */
		key.tunnel_id = cfg->vni;
		key.tunnel_ttl = 64;
		/* BPF_F_ZERO_CSUM_TX not set: the outer UDP checksum is computed, as Cilium does by default. */
		if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0) < 0) {
			count(CNT_MISS);
			return TC_ACT_SHOT;
		}
		count(CNT_TUNNEL_ENCAP);
		/* Egress of the collect-metadata VXLAN device, which encapsulates using the key set above. */
		return bpf_redirect(cfg->vxlan_ifindex, 0);
	}

	count(CNT_MISS);
	return TC_ACT_OK;
}

SEC("tc")
int from_overlay(struct __sk_buff *skb)
{
	struct ethhdr *eth = NULL;
	struct iphdr *ip = ipv4_header(skb, &eth);
	struct endpoint_info *ep;
	__u32 daddr;

	if (!ip)
		return TC_ACT_OK;
	daddr = ip->daddr;

	ep = bpf_map_lookup_elem(&endpoints, &daddr);
	if (ep)
		return redirect_to_endpoint(eth, ep, CNT_OVERLAY_REDIRECT);

	count(CNT_MISS);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "Dual MIT/GPL";
