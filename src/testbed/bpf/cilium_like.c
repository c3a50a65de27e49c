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
// Built with -DENABLE_POLICY (the cilium-wp model), a packet handed to a local endpoint that enforces ingress policy
// is first checked the way Cilium's bpf/lib/policy.h __policy_can_access does it: the sender's security identity, then
// a longest-prefix lookup of {identity, direction, protocol, port} in the endpoint's policy map, and a second lookup
// with the identity wildcarded (L4-only rules); the more specific allow wins, a deny always wins, no entry drops the
// packet. Where cnibench's small programs differ from Cilium's, and why:
//   - The identity comes from an LPM lookup of the source address in `ipcache` (Cilium's cilium_ipcache_v2 key and
//     value layout). Cilium knows a local sender's identity from the sender's own program and reads a remote one from
//     the VXLAN VNI; its from-container path looks the destination up in the same ipcache, so the number of lookups
//     per packet is the same, the key is not.
//   - Every endpoint has its own policy map, as in Cilium, but one shared program finds it by the endpoint's id in an
//     array of maps; Cilium compiles each endpoint's map into that endpoint's own program.
//   - No BPF connection tracking: every packet entering an enforcing endpoint is looked up, replies included (they
//     are admitted by the rule for the namespace's pods). Cilium looks the policy up for new and established packets
//     of a connection and lets replies through on its CT entry, after a CT lookup of every packet.
//
// Map layouts are mirrored byte for byte in src/testbed/bpf/loader.ts (which fills them with bpftool);
// change both together.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Value of `endpoints`: a pod on this node. Key: the pod's IPv4 address, network byte order. */
struct endpoint_info {
	__u32 ifindex;     /* host-side lxc veth (in the node namespace); host byte order */
	__u8 pod_mac[6];   /* MAC of the pod's eth0 */
	__u8 lxc_mac[6];   /* MAC of the host-side lxc veth (the pod's gateway MAC) */
#ifdef ENABLE_POLICY
	__u16 lxc_id;      /* the endpoint's id (Cilium's lxc_id), the first field of its policy keys; host byte order */
	__u16 flags;       /* EP_F_INGRESS_POLICY: a policy selects this endpoint for ingress */
#endif
};

#ifdef ENABLE_POLICY
#define EP_F_INGRESS_POLICY 1

/* Reserved identity of an address the ipcache does not know (Cilium's WORLD_ID). */
#define WORLD_ID 2
/* ipcache key family of IPv4 (Cilium's ENDPOINT_KEY_IPV4). */
#define ENDPOINT_KEY_IPV4 1

/* Key of `ipcache` (Cilium's struct ipcache_key): LPM over cluster_id, pad, family, then the address. */
struct ipcache_key {
	__u32 prefixlen;   /* bpf_lpm_trie_key: 32 bits of cluster_id/pad/family + the address's prefix length */
	__u16 cluster_id;
	__u8 pad1;
	__u8 family;
	__u32 ip4;         /* network byte order; the IPv6-sized rest of Cilium's union stays zero */
	__u32 pad4;
	__u32 pad5;
	__u32 pad6;
};

/* Value of `ipcache` (Cilium's struct remote_endpoint_info). */
struct remote_endpoint_info {
	__u32 sec_identity;
	__u32 tunnel_endpoint[4];
	__u16 pad;
	__u8 key;
	__u8 flags;
};

/* Key of an endpoint's policy map (Cilium's struct policy_key). */
struct policy_key {
	__u32 prefixlen;   /* bpf_lpm_trie_key: 40 fixed bits (identity, direction) + 0, 8 or 24 of protocol and port */
	__u32 sec_label;
	__u8 egress;       /* egress:1, pad:7; 0: ingress */
	__u8 protocol;     /* wildcarded only with the port */
	__be16 dport;
};

/* Value of `policy` (Cilium's struct policy_entry, without its bit-fields). */
struct policy_entry {
	__be16 proxy_port;
	__u8 deny;
	__u8 lpm_prefix_length; /* bits of protocol and port the entry matches: 0, 8 or 24 */
	__u32 cookie;
};

#define POLICY_FULL_PREFIX (8 * (sizeof(struct policy_key) - sizeof(__u32)))
#define IPCACHE_STATIC_PREFIX 32

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 512000); /* Cilium's default ipcache size */
	__type(key, struct ipcache_key);
	__type(value, struct remote_endpoint_info);
} ipcache SEC(".maps");

/* One endpoint's policy (Cilium's cilium_policy_v2 of that endpoint); the loader creates one per endpoint. */
struct policy_map {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384); /* Cilium's default policy map size (bpf-policy-map-max) */
	__uint(key_size, sizeof(struct policy_key));
	__uint(value_size, sizeof(struct policy_entry));
};

/* Every endpoint's policy map, by endpoint id: Cilium compiles each endpoint's own map into its program instead. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__array(values, struct policy_map);
} policy SEC(".maps");
#endif

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
#ifdef ENABLE_POLICY
	CNT_POLICY_ALLOW = 4,
	CNT_POLICY_DENY = 5,
	CNT_MAX = 6,
#else
	CNT_MAX = 4,
#endif
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

#ifdef ENABLE_POLICY
/* Whether the endpoint's ingress policy admits the packet (bpf/lib/policy.h __policy_can_access, ingress). */
static __always_inline int policy_admits(struct __sk_buff *skb, const struct iphdr *ip, const struct endpoint_info *ep)
{
	void *data_end = (void *)(long)skb->data_end;
	struct ipcache_key ik = {
		.prefixlen = IPCACHE_STATIC_PREFIX + 32,
		.family = ENDPOINT_KEY_IPV4,
		.ip4 = ip->saddr,
	};
	struct policy_key key = {
		.prefixlen = POLICY_FULL_PREFIX, /* always look up with every bit given */
		.protocol = ip->protocol,
	};
	const struct remote_endpoint_info *info;
	const struct policy_entry *l3, *l4, *chosen;
	__u32 ihl = (ip->ihl & 0xf) * 4;
	__u32 id = ep->lxc_id;
	void *map;

	if (!(ep->flags & EP_F_INGRESS_POLICY))
		return 1;
	map = bpf_map_lookup_elem(&policy, &id);
	if (!map) {
		count(CNT_POLICY_DENY); /* an enforcing endpoint without its map admits nothing */
		return 0;
	}
	info = bpf_map_lookup_elem(&ipcache, &ik);
	key.sec_label = info ? info->sec_identity : WORLD_ID;
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		__be16 *ports = (void *)ip + ihl;

		if ((void *)(ports + 2) > data_end)
			return 0;
		key.dport = ports[1];
	}

	/* L3 lookup: the identity exactly, protocol and port by longest prefix; a deny there needs no second lookup. */
	l3 = bpf_map_lookup_elem(map, &key);
	l4 = NULL;
	if (!(l3 && l3->deny)) {
		/* L4-only lookup: any identity. */
		key.sec_label = 0;
		l4 = bpf_map_lookup_elem(map, &key);
	}
	chosen = l4 && (l4->deny || !l3 || l4->lpm_prefix_length > l3->lpm_prefix_length) ? l4 : l3;
	if (!chosen || chosen->deny) {
		count(CNT_POLICY_DENY);
		return 0;
	}
	count(CNT_POLICY_ALLOW);
	return 1;
}
#endif

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
	if (ep) {
#ifdef ENABLE_POLICY
		if (!policy_admits(skb, ip, ep))
			return TC_ACT_SHOT;
#endif
		return redirect_to_endpoint(eth, ep, CNT_LOCAL_REDIRECT);
	}

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
	if (ep) {
#ifdef ENABLE_POLICY
		if (!policy_admits(skb, ip, ep))
			return TC_ACT_SHOT;
#endif
		return redirect_to_endpoint(eth, ep, CNT_OVERLAY_REDIRECT);
	}

	count(CNT_MISS);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "Dual MIT/GPL";
