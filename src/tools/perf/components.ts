// The one table that maps kernel symbols (and kernel-module DSOs) to network-stack components, with the evidence for each pattern.
//
// Evidence key used below: "kallsyms" = /proc/kallsyms of the Debian 12 VM's kernel 6.18 (monolithic, no modules:
// bridge, br_netfilter, veth, vxlan, tun, conntrack, ipset, cls_bpf are built in; ipip and openvswitch are not built at
// all); "data" = `perf record -a -g -e cpu-clock` of netperf streams through a bridge + tc-BPF + iptables path, a routed
// path and a VXLAN path (test/fixtures/perf). A subset of that kallsyms is kept in test/fixtures/perf/kallsyms-subset.txt.gz
// and test/perf-attribute.test.ts checks every pattern below against it.
import type { Component, StackPart } from './types.ts';

/** One pattern of the table. Rules are tried in order; the first whose pattern matches decides. */
export interface ComponentRule {
  /**
   * Glob over the symbol without compiler clone suffixes (`.isra.0`, `.constprop.0`, `.part.0`, `.cold`, `.llvm.N`):
   * `*` matches any run of characters, everything else is literal.
   */
  pattern: string;
  /** The component; null marks symbols that look like a component's but are not its work (the walk goes on). */
  component: Component | null;
  /**
   * Frames shared by several components: the nearest deeper frame (towards the root, within the same context)
   * belonging to one of these decides; when there is none, `component` applies.
   */
  sharedBy?: readonly Component[];
  /** The rule does not apply when a deeper frame in the same context matches one of these patterns. */
  unlessUnder?: readonly string[];
  /** Why this pattern, and where it was checked. */
  evidence: string;
}

/** Entry points through which BPF *tracing* programs run: programs under them are monitoring, not the datapath. */
export const BPF_TRACING_ENTRIES: readonly string[] = [
  'bpf_trace_run*',
  '__bpf_trace_*',
  'trace_call_bpf',
  'bpf_trampoline_*',
  '__bpf_prog_enter*',
  'kprobe_perf_func',
  'perf_trace_run_bpf_submit',
];

const notTracing = { unlessUnder: BPF_TRACING_ENTRIES } as const;

/** BPF helpers only tracing program types may call (kernel/trace/bpf_trace.c): never a tc datapath's. */
const BPF_TRACING_HELPERS: readonly string[] = [
  'bpf_probe_read*',
  'bpf_get_current_*',
  'bpf_get_stack*',
  'bpf_get_task_stack*',
  'bpf_perf_event_output*',
  'bpf_send_signal*',
  'bpf_get_func_ip*',
  'bpf_copy_from_user*',
  'bpf_d_path',
];

export const COMPONENT_RULES: readonly ComponentRule[] = [
  // --- BPF infrastructure that runs without any datapath program: excluded before the broad bpf_* rule below.
  {
    pattern: 'bpf_lsm_*',
    component: null,
    evidence:
      'kallsyms: 280 bpf_lsm_* no-op LSM hooks, called from security_*() on every socket operation when the BPF LSM is built in. ' +
      'data: bpf_lsm_socket_sock_rcv_skb under security_sock_rcv_skb ← sk_filter_trim_cap ← tcp_v4_rcv with no LSM program attached.',
  },
  {
    pattern: 'bpf_skops_*',
    component: null,
    evidence:
      'kallsyms: bpf_skops_hdr_opt_len, bpf_skops_write_hdr_opt, bpf_skops_tx_timestamping: TCP hooks that test a per-socket flag. ' +
      'data: bpf_skops_write_hdr_opt.isra.0 under __tcp_transmit_skb with no sockops program. A sockops program that does run shows as its own bpf_prog_* frame.',
  },
  {
    pattern: 'bpf_*storage*',
    component: null,
    evidence: 'kallsyms: bpf_{sk,inode,task,cgrp,local}_storage_* map bookkeeping. data: bpf_inode_storage_free under security_inode_free ← do_exit.',
  },
  { pattern: '__bpf_*storage*', component: null, evidence: 'kallsyms: __bpf_local_storage_insert_cache etc.; same family as bpf_*storage*.' },
  {
    pattern: 'bpf_trace_*',
    component: null,
    evidence: 'kallsyms: bpf_trace_run1..12, bpf_trace_printk: tracing programs on tracepoints. data: bpf_trace_run2 under do_exit (a tracing program of the host, not the datapath).',
  },
  { pattern: '__bpf_trace_*', component: null, evidence: 'kallsyms: __bpf_trace_<tracepoint> glue, one per tracepoint; tracing, not the datapath.' },
  { pattern: 'bpf_trampoline_*', component: null, evidence: 'kallsyms: bpf_trampoline_{enter,exit,link_prog…}: fentry/fexit/LSM program trampolines (tracing).' },
  { pattern: '__bpf_prog_enter*', component: null, evidence: 'kallsyms: __bpf_prog_enter{,_recur,_sleepable,_lsm_cgroup}: trampoline entry (tracing).' },
  { pattern: '__bpf_prog_exit*', component: null, evidence: 'kallsyms: __bpf_prog_exit{,_recur,_sleepable,_lsm_cgroup}: trampoline exit (tracing).' },

  // --- Netfilter. The br_netfilter glue comes first: it is named br_* but is netfilter's cost on bridged packets.
  {
    pattern: 'br_nf_*',
    component: 'netfilter',
    evidence:
      'kallsyms: br_nf_pre_routing, br_nf_forward_ip, br_nf_post_routing, br_nf_hook_thresh… (net/bridge/br_netfilter_hooks.c). ' +
      'data: present on every bridged packet (bridge-nf-call-iptables defaults to 1 in a new namespace), incl. the FIB lookup br_nf_pre_routing_finish makes.',
  },
  { pattern: 'brnf_*', component: 'netfilter', evidence: 'kallsyms: brnf_device_event, brnf_sysctl_call_tables… (br_netfilter_hooks.c, same object as br_nf_*).' },
  { pattern: 'br_validate_ipv4', component: 'netfilter', evidence: 'kallsyms: in br_netfilter_hooks.c between br_nf_local_in and br_nf_dev_xmit. data: under br_nf_pre_routing.' },
  { pattern: 'br_validate_ipv6', component: 'netfilter', evidence: 'kallsyms: br_netfilter_ipv6.c, next to br_nf_pre_routing_ipv6.' },
  { pattern: 'ip_sabotage_in', component: 'netfilter', evidence: 'kallsyms: br_netfilter_hooks.c (its NF_INET_PRE_ROUTING hook), between br_nf_local_in and br_validate_ipv4.' },
  { pattern: 'setup_pre_routing', component: 'netfilter', evidence: 'kallsyms: a single symbol, in br_netfilter_hooks.c between nf_bridge_update_protocol and br_nf_hook_thresh.' },
  { pattern: 'ebt_*', component: 'netfilter', evidence: 'kallsyms: 57 ebt_* (ebtables matches/targets, ebt_do_table): bridge-level netfilter.' },
  {
    pattern: 'nf_*',
    component: 'netfilter',
    evidence: 'kallsyms: 487 nf_* (nf_hook_slow, nf_conntrack_in, nf_nat_*, nf_tables_*). data: nf_hook_slow, nf_conntrack_in, nf_conntrack_tcp_packet, nf_ct_get_tuple.',
  },
  { pattern: '__nf_*', component: 'netfilter', evidence: 'kallsyms: 50 __nf_* (__nf_conntrack_find_get, __nf_conntrack_confirm). data: __nf_conntrack_find_get, __nf_ct_refresh_acct.' },
  { pattern: 'nft_*', component: 'netfilter', evidence: 'kallsyms: 655 nft_* (nft_do_chain, nft_lookup_eval…): the iptables-nft flavour.' },
  { pattern: '__nft_*', component: 'netfilter', evidence: 'kallsyms: 17 __nft_*.' },
  {
    pattern: 'ipt_*',
    component: 'netfilter',
    evidence: 'kallsyms: ipt_do_table, ipt_error, ipt_register_table…: the legacy iptables walk (the study names ipt_do_table). data: ipt_do_table.',
  },
  { pattern: 'ip6t_*', component: 'netfilter', evidence: 'kallsyms: 14 ip6t_* (ip6t_do_table).' },
  { pattern: 'arpt_*', component: 'netfilter', evidence: 'kallsyms: arpt_do_table…' },
  { pattern: 'iptable_*', component: 'netfilter', evidence: 'kallsyms: 22 iptable_* (iptable_mangle_hook, iptable_filter_*…): table hooks.' },
  { pattern: 'ip6table_*', component: 'netfilter', evidence: 'kallsyms: ip6table_* table hooks.' },
  { pattern: 'xt_*', component: 'netfilter', evidence: 'kallsyms: 129 xt_* (x_tables core and matches).' },
  {
    pattern: '*conntrack*',
    component: 'netfilter',
    evidence:
      'kallsyms: 253 names containing "conntrack", every one netfilter (also ipv4_conntrack_in/_local/_defrag, hash_conntrack_raw, conntrack_mt*, ' +
      'tcp_print_conntrack). data: ipv4_conntrack_in, ipv4_conntrack_defrag, hash_conntrack_raw, conntrack_mt_v3.',
  },
  { pattern: 'ip_set_*', component: 'netfilter', evidence: 'kallsyms: 63 ip_set_* (ipset core: ip_set_test, ip_set_add…), used by Weave/kube-router-like policies.' },
  { pattern: 'hash_ip*', component: 'netfilter', evidence: 'kallsyms: 188 hash_ip* (ipset hash:ip, hash:ip,port… types); no other subsystem uses the prefix.' },
  { pattern: 'hash_net*', component: 'netfilter', evidence: 'kallsyms: 152 hash_net* (ipset hash:net types).' },
  { pattern: 'bitmap_ip*', component: 'netfilter', evidence: 'kallsyms: bitmap_ip_*, bitmap_ipmac_* (ipset bitmap types); lib/bitmap.c uses bitmap_alloc/bitmap_clear…, not bitmap_ip.' },
  { pattern: 'bitmap_port*', component: 'netfilter', evidence: 'kallsyms: 15 bitmap_port_* (ipset bitmap:port).' },
  { pattern: 'list_set_*', component: 'netfilter', evidence: 'kallsyms: 17 list_set_* (ipset list:set).' },

  // --- Linux bridge.
  {
    pattern: 'br_*',
    component: 'bridge',
    evidence: 'kallsyms: 352 br_* (net/bridge). data: br_handle_frame, br_handle_frame_finish, br_forward, br_forward_finish, br_dev_queue_push_xmit, br_fdb_update.',
  },
  { pattern: '__br_*', component: 'bridge', evidence: 'kallsyms: 13 __br_* (__br_forward, __br_handle_local_finish). data: __br_forward.' },
  { pattern: 'fdb_*', component: 'bridge', evidence: 'kallsyms: 11 fdb_* (fdb_find_rcu, fdb_create…), all in br_fdb.c between br_fdb_* symbols.' },
  { pattern: 'maybe_deliver', component: 'bridge', evidence: 'kallsyms: static helper of br_forward.c (between __br_forward and br_forward), called by br_flood.' },

  // --- FIB lookups (the study's fib_table_lookup) and IP forwarding.
  {
    pattern: 'fib_*',
    component: 'fib',
    evidence:
      'kallsyms: 111 fib_* (fib_table_lookup, fib_rules_lookup, fib_validate_source, fib_lookup_good_nhc…). ' +
      'data: fib_table_lookup, fib_validate_source, fib_lookup_good_nhc. The route-cache callers (ip_route_input_slow, ip_route_output_key_hash) are not FIB and stay stack.',
  },
  { pattern: '__fib_*', component: 'fib', evidence: 'kallsyms: __fib_lookup (policy routing), __fib_validate_source, __fib6_*.' },
  { pattern: 'fib4_*', component: 'fib', evidence: 'kallsyms: 20 fib4_* (fib4_rule_action, fib4_rule_match: the policy rules kube-router adds).' },
  { pattern: 'fib6_*', component: 'fib', evidence: 'kallsyms: 90 fib6_* (fib6_table_lookup…): the IPv6 FIB.' },
  { pattern: 'ip_forward*', component: 'ip-forward', evidence: 'kallsyms: ip_forward, ip_forward_finish, ip_forward_options. data: ip_forward, ip_forward_finish on the routed path.' },
  { pattern: 'ip6_forward*', component: 'ip-forward', evidence: 'kallsyms: ip6_forward, ip6_forward_finish.' },

  // --- BPF helpers only tracing programs may call (kprobe, fentry, tracepoint, perf_event types): a program that calls
  //     them is monitoring something, never a tc datapath. Data: flannel-udp profiles hold bpf_probe_read_kernel
  //     directly under udp_send_skb+0x5 — a fentry program of some other tool on the host, whose trampoline frames
  //     perf does not show, so the tracing entries above cannot catch it.
  ...BPF_TRACING_HELPERS.map(
    (pattern): ComponentRule => ({
      pattern,
      component: null,
      evidence: 'kernel/trace/bpf_trace.c: helpers of tracing program types only (bpf_tracing_func_proto); a tc program cannot call them. kallsyms: present.',
    }),
  ),

  // --- eBPF datapath: JITed programs, helpers, the tc hook and classifier, redirects. Not when run by a tracing entry.
  {
    pattern: 'bpf_prog_*',
    component: 'ebpf',
    ...notTracing,
    evidence:
      'JITed programs appear as bpf_prog_<tag>_<name> (net.core.bpf_jit_kallsyms=1; DSO is the same name). ' +
      'data: bpf_prog_6fb71ee114af4e32_cnib_perf_probe under cls_bpf_classify; kallsyms also has bpf_prog_run_* helpers.',
  },
  {
    pattern: 'bpf_*',
    component: 'ebpf',
    ...notTracing,
    evidence:
      'kallsyms: 1617 bpf_* (helpers such as bpf_skb_load_bytes, bpf_redirect, bpf_redirect_peer, map code); the non-datapath families are excluded above. ' +
      'data: bpf_skb_load_bytes under the test program.',
  },
  { pattern: '__bpf_*', component: 'ebpf', ...notTracing, evidence: 'kallsyms: __bpf_redirect, __bpf_skb_load_bytes, __bpf_prog_run_save_cb (tracing entries excluded above).' },
  { pattern: 'cls_bpf_*', component: 'ebpf', evidence: 'kallsyms: 13 cls_bpf_* (cls_bpf_classify runs the tc program). data: cls_bpf_classify.' },
  { pattern: 'tcf_classify', component: 'ebpf', evidence: 'kallsyms + data: tcf_classify → __tcf_classify.constprop.0 → cls_bpf_classify (the only tc classifier cnibench attaches is BPF).' },
  { pattern: '__tcf_classify', component: 'ebpf', evidence: 'kallsyms: __tcf_classify.constprop.0 (the suffix is stripped before matching). data: present.' },
  { pattern: 'tcf_bpf_*', component: 'ebpf', evidence: 'act_bpf (tc BPF action) in kernels that build it; not in this kernel.' },
  {
    pattern: 'tc_run',
    component: 'ebpf',
    evidence: 'kallsyms: tc_run (net/core/dev.c, the clsact ingress/egress hook; only active when a clsact qdisc exists, which here only the BPF datapath adds). data: tc_run ← __dev_queue_xmit.',
  },
  { pattern: 'sch_handle_ingress', component: 'ebpf', evidence: 'The same hook in older kernels such as the study\'s 4.15; inlined into tc_run here.' },
  { pattern: 'sch_handle_egress', component: 'ebpf', evidence: 'The egress side of the same hook in older kernels; absent here (inlined into tc_run).' },
  { pattern: 'skb_do_redirect', component: 'ebpf', evidence: 'kallsyms: net/core/filter.c (between __bpf_skb_load_bytes and bpf_xdp_copy): executes a program\'s TC_ACT_REDIRECT.' },

  // --- veth.
  { pattern: 'veth_*', component: 'veth', evidence: 'kallsyms: 50 veth_* (veth_xmit, veth_poll, veth_xdp_rcv…). data: veth_xmit.' },
  { pattern: '__veth_*', component: 'veth', evidence: 'kallsyms: __veth_napi_enable_range (older kernels: __veth_xdp_flush).' },

  // --- Tunnels. ip_tunnel_core.c is shared by VXLAN (udp_tunnel_xmit_skb → iptunnel_xmit) and IP-in-IP (ip_tunnel_xmit → iptunnel_xmit).
  {
    pattern: 'iptunnel_*',
    component: null,
    sharedBy: ['vxlan', 'ipip'],
    evidence: 'kallsyms: iptunnel_xmit, iptunnel_handle_offloads, iptunnel_metadata_reply. data: iptunnel_xmit ← udp_tunnel_xmit_skb ← vxlan_xmit_one.',
  },
  { pattern: '__iptunnel_*', component: null, sharedBy: ['vxlan', 'ipip'], evidence: 'kallsyms: __iptunnel_pull_header. data: under vxlan_rcv.' },
  { pattern: 'tun_dst_*', component: null, sharedBy: ['vxlan', 'ipip'], evidence: 'kallsyms: tun_dst_unclone (metadata tunnel dst of collect-md VXLAN/IPIP devices), not the TUN driver.' },
  {
    pattern: 'vxlan_*',
    component: 'vxlan',
    evidence: 'kallsyms: 134 vxlan_* (vxlan_xmit, vxlan_xmit_one, vxlan_rcv, vxlan_build_skb…). data: vxlan_xmit, vxlan_xmit_one, vxlan_rcv, vxlan_find_mac_rcu, vxlan_snoop.',
  },
  { pattern: '__vxlan_*', component: 'vxlan', evidence: 'kallsyms: 6 __vxlan_* (mostly configuration; harmless).' },
  {
    pattern: 'udp_tunnel*',
    component: 'vxlan',
    evidence: 'kallsyms: udp_tunnel_xmit_skb, udp_tunnel_dst_lookup, udp_tunnel6_*: the UDP encapsulation VXLAN uses. data: udp_tunnel_xmit_skb, udp_tunnel_dst_lookup.',
  },
  {
    pattern: 'tun_*',
    component: 'tun',
    evidence:
      'kallsyms: 69 tun_* (tun_net_xmit, tun_get_user, tun_chr_read_iter… drivers/net/tun.c). The TUN device is the kernel side of ' +
      "flannel's UDP backend: packets cross it to a user-space relay that encapsulates them (its own cycles are 'user'). It is not VXLAN, so it has " +
      'a component of its own. data: tun_get_user, tun_do_read, tun_chr_poll, tun_net_xmit in flannel-udp profiles between nodes.',
  },
  { pattern: '__tun_*', component: 'tun', evidence: 'kallsyms: __tun_chr_ioctl, __tun_detach (tun.c).' },
  {
    pattern: 'ipip_*',
    component: 'ipip',
    evidence:
      'kallsyms (no ipip module built here): ipip_gro_receive, ipip_gro_complete, ipip_gso_segment (IPIP offloads in af_inet.c); ipip_rcv, ipip_tunnel_xmit are in net/ipv4/ipip.c. ' +
      'The underscore keeps ipipe_prep (fs/splice.c) out.',
  },
  { pattern: 'ip_tunnel_*', component: 'ipip', evidence: 'kallsyms: 37 ip_tunnel_* (ip_tunnel_xmit, ip_tunnel_rcv, ip_tunnel_lookup: net/ipv4/ip_tunnel.c, used by IPIP; VXLAN does not call them).' },
  { pattern: 'tunnel4_*', component: 'ipip', evidence: 'net/ipv4/tunnel4.c (tunnel4_rcv hands IPPROTO_IPIP packets to ipip_rcv); not built here.' },

  // --- Open vSwitch datapath (not built in this kernel; names from net/openvswitch).
  { pattern: 'ovs_*', component: 'ovs', evidence: 'net/openvswitch: ovs_vport_receive, ovs_dp_process_packet, ovs_execute_actions, ovs_flow_tbl_lookup_stats, ovs_ct_execute. kallsyms: 0 (not built).' },
  { pattern: 'netdev_frame_hook', component: 'ovs', evidence: 'net/openvswitch/vport-netdev.c: the rx_handler of OVS ports. kallsyms: absent, so no clash.' },
  { pattern: 'netdev_port_receive', component: 'ovs', evidence: 'net/openvswitch/vport-netdev.c, called by netdev_frame_hook. kallsyms: absent (OVS not built).' },
  { pattern: 'internal_dev_*', component: 'ovs', evidence: 'net/openvswitch/vport-internal_dev.c (internal_dev_xmit, internal_dev_recv). kallsyms: absent.' },
  { pattern: 'do_execute_actions', component: 'ovs', evidence: 'net/openvswitch/actions.c. kallsyms: absent, so no clash.' },
  { pattern: 'masked_flow_lookup', component: 'ovs', evidence: 'net/openvswitch/flow_table.c (flow-table lookup of every packet). kallsyms: absent (OVS not built).' },
  { pattern: 'queue_userspace_packet', component: 'ovs', evidence: 'net/openvswitch/datapath.c (upcall to ovs-vswitchd). kallsyms: absent (OVS not built).' },
];

/** One group of the second tier: the part of the rest of the kernel a family of symbols does. */
export interface StackPartRule {
  part: StackPart;
  patterns: readonly string[];
  /** What the part is, and where the patterns were checked. */
  evidence: string;
}

/**
 * Frames that say nothing about the work of a sample in the second tier, and are walked past: the points where
 * interrupts or bottom halves are re-enabled (under cpu-clock sampling in a VM the timer interrupt that samples lands
 * there, not where the time went) and RCU read-side markers. Data (reference run): `_raw_spin_unlock_irqrestore` is
 * the leaf of 20–40% of busy samples, `__rcu_read_unlock` of a few per cent.
 */
export const TRANSPARENT_FRAMES: readonly string[] = [
  '_raw_spin_unlock*',
  '_raw_read_unlock*',
  '_raw_write_unlock*',
  '__local_bh_enable_ip',
  '__rcu_read_lock',
  '__rcu_read_unlock',
];

/**
 * The second tier: samples no datapath component claims (no frame of COMPONENT_RULES from the leaf to the end of
 * their context) are split by the first frame from the leaf, past TRANSPARENT_FRAMES, that one of these groups
 * names; groups are tried in this order for each frame. Nothing here can take a sample from a datapath component.
 * Evidence: names from /proc/kallsyms of this VM's kernel (6.18); every pattern is checked against
 * test/fixtures/perf/kallsyms-subset.txt.gz by test/perf-attribute.test.ts, and the reference run's profiles
 * leave under 25% of any model's cycles to `stack` (the report's Appendix lists each part's top functions).
 */
export const STACK_RULES: readonly StackPartRule[] = [
  {
    part: 'tracing',
    // The BPF tracing entries by family (kprobe_* covers kprobe_perf_func, absent from this kernel), and the helpers.
    patterns: ['perf_*', '__perf_*', 'trace_event_*', 'trace_call_bpf', 'bpf_trace_run*', '__bpf_trace_*', 'bpf_trampoline_*', '__bpf_prog_enter*', 'kprobe_*', 'ftrace_*', ...BPF_TRACING_HELPERS],
    evidence: 'The observers: perf\'s sampling interrupt and buffers (perf_event_overflow, perf_output_*, perf_prepare_sample), BPF tracing programs of other tools on the host. kallsyms: perf_*, __perf_*, trace_event_raw_event_*.',
  },
  {
    part: 'memory',
    patterns: ['*alloc_skb*', 'skb_release_*', 'consume_skb', '__consume_stateless_skb', 'napi_consume_skb', 'skb_free_head', 'kfree_skb*', 'sk_skb_reason_drop', 'skb_attempt_defer_free', 'skb_clone', 'pskb_expand_head', '*build_skb*', 'skb_page_frag_refill', 'sk_page_frag_refill', 'kmem_cache_*', '__kmem_cache_*', 'kmalloc*', '__kmalloc*', 'kfree*', '__kfree*', 'kvfree*', 'page_frag_*', '__page_frag_*', 'alloc_pages*', '__alloc_pages*', 'alloc_frozen_pages*', 'free_unref_*', '__free_pages*', '__folio_put', 'get_page_from_freelist', '___slab_alloc', '__slab_free', 'slab_*', 'mem_cgroup_*', '__mem_cgroup_*', 'memcg_*', '__memcg_*', 'refill_stock', 'obj_cgroup_*', '__mod_lruvec_*'],
    evidence: 'Allocating and freeing socket buffers, slab objects and pages, and charging them to a memory cgroup. kallsyms: __alloc_skb, kmem_cache_alloc_node_noprof, skb_release_data, page_frag_alloc_align, mem_cgroup_charge_skmem.',
  },
  {
    part: 'softirq',
    patterns: ['handle_softirqs', '__do_softirq', 'do_softirq*', 'run_ksoftirqd', 'smpboot_thread_fn', 'net_rx_action', 'net_tx_action', '__napi_*', 'napi_*', 'process_backlog', 'enqueue_to_backlog', '*raise_softirq*', 'gro_cell_poll'],
    evidence:
      'Deferred packet processing: the softirq loop, NAPI polls and the per-CPU backlog a veth or loopback transmit queues to. kallsyms: handle_softirqs, net_rx_action, __napi_poll, process_backlog, enqueue_to_backlog, napi_gro_receive. ' +
      'data (reference run): most samples here have handle_softirqs as the leaf, where the loop re-enables interrupts — softirq work that ran with interrupts off, sampled only after (the report says so).',
  },
  {
    part: 'tcp',
    patterns: ['tcp_*', '__tcp_*', 'tcp4_*', 'tcp6_*', 'inet_csk_*', '__inet_lookup*', 'inet_ehashfn'],
    evidence: 'The TCP protocol: segment processing, ACKs, congestion control, socket lookup. kallsyms: tcp_v4_rcv, tcp_rcv_established, tcp_sendmsg_locked, tcp_write_xmit, tcp_ack, __inet_lookup_established.',
  },
  {
    part: 'udp',
    patterns: ['udp_*', '__udp*', 'udp4_*', 'udpv6_*', 'udp6_*'],
    evidence: 'The UDP protocol (tunnel encapsulation, udp_tunnel_*, is claimed by the VXLAN component first). kallsyms: udp_rcv, __udp4_lib_rcv, udp_sendmsg, udp_queue_rcv_skb.',
  },
  {
    part: 'ip',
    patterns: ['ip_*', '__ip_*', 'ipv4_*', 'ip4_*', 'inet_gro_*', 'inet_gso_*', 'dst_*', 'rt_*', 'neigh_*', '__neigh_*', 'arp_*', 'raw_local_deliver', 'icmp_*', 'l3mdev_*'],
    evidence: 'The IP layer around the FIB: receive (ip_rcv, ip_local_deliver), output (ip_queue_xmit, ip_finish_output2), the route cache and neighbour resolution. kallsyms: ip_rcv_core, ip_route_input_slow, ip_finish_output2, dst_release, neigh_resolve_output.',
  },
  {
    part: 'netdev',
    patterns: ['dev_*', '__dev_*', 'netif_*', '__netif_*', 'netdev_*', 'gro_*', '__gro_*', 'skb_gro_*', 'skb_gso_*', '__skb_gso_*', 'skb_mac_gso_segment', 'skb_segment*', 'skb_network_protocol', 'validate_xmit_*', 'sch_direct_xmit', 'pfifo_fast_*', 'qdisc_*', '__qdisc_*', 'noqueue_*', 'eth_*', 'loopback_*', 'skb_checksum*', '__skb_checksum*', 'skb_csum_hwoffload_help', 'get_rps_cpu', 'rps_*'],
    evidence: 'The device layer: transmit queueing and qdiscs, receive dispatch, GRO and GSO (segmenting and merging super-packets), Ethernet. kallsyms: __dev_queue_xmit, dev_hard_start_xmit, __netif_receive_skb_core, dev_gro_receive, skb_segment, eth_type_trans.',
  },
  {
    part: 'socket',
    patterns: ['sock_*', '__sock_*', 'sk_*', '__sk_*', 'inet_sendmsg', 'inet_recvmsg', 'lock_sock*', 'release_sock', '__release_sock', '__skb_datagram_iter', 'skb_copy_datagram_*', 'skb_copy_bits', 'skb_copy_and_csum*', 'simple_copy_to_iter', 'copy_*', '_copy_*', '__copy_*', 'rep_movs_alternative', 'memcpy*', '__memcpy*', 'memmove*', '__memmove*', 'csum_partial*', 'csum_*', 'iov_iter_*', 'security_socket_*', 'security_sock_*'],
    evidence: 'Sockets and the copy of data between user memory and socket buffers (with checksums). kallsyms: sock_sendmsg, sk_wait_data, skb_copy_datagram_iter, _copy_to_iter, rep_movs_alternative, csum_partial.',
  },
  {
    part: 'syscall',
    patterns: ['entry_SYSCALL_*', 'do_syscall_64', 'x64_sys_call', '__x64_sys_*', '__sys_*', 'ksys_*', 'syscall_*', 'exit_to_user_mode*', '__do_sys_*', 'do_sys_*', 'vfs_*', 'fdget*', 'fput*', '__fput*', 'do_select', 'core_sys_select', 'do_pselect*', 'poll_*', 'ep_*', 'do_epoll_*', 'rw_verify_area', 'security_file_*', 'fpregs_*', 'switch_fpu_*', 'restore_fpregs_*', 'clear_bhb_loop'],
    evidence: 'Entering and leaving the kernel for a system call, file and poll/select/epoll bookkeeping around socket calls. kallsyms: do_syscall_64, __x64_sys_sendto, __sys_recvfrom, core_sys_select, vfs_write.',
  },
  {
    part: 'irq-lock',
    patterns: ['asm_sysvec_*', 'sysvec_*', '__sysvec_*', 'asm_common_interrupt', 'common_interrupt', 'irq_*', '__irq_*', 'handle_irq*', 'hrtimer_*', '__hrtimer_*', 'tick_*', 'timerqueue_*', 'update_process_times', 'lapic_*', 'x2apic_*', 'native_apic_*', 'kvm_*', 'pvclock_*', 'ktime_get*', 'read_tsc', 'clockevents_*', 'queued_*lock*', 'native_queued_*', '_raw_spin_lock*', '_raw_read_lock*', '_raw_write_lock*', 'mutex_*', '__mutex_*', 'rcu_*', '__rcu_*', '*smp_call_function*', 'native_send_call_func*', 'account_*'],
    evidence: 'Hard interrupts (timer, IPIs) and their clock reads, spinning on contended locks, RCU callbacks. kallsyms: sysvec_apic_timer_interrupt, hrtimer_interrupt, native_queued_spin_lock_slowpath, _raw_spin_lock_bh, rcu_core.',
  },
  {
    part: 'sched',
    patterns: ['schedule', '__schedule', 'schedule_*', 'preempt_schedule*', '*try_to_wake_up', 'wake_up_*', '__wake_up*', 'ttwu_*', 'sched_*', '__sched_*', 'enqueue_task*', 'dequeue_task*', 'pick_next_*', 'put_prev_*', 'set_next_*', 'update_curr*', 'update_load_avg', '__update_load_avg*', 'update_rq_clock*', 'finish_task_switch*', '__switch_to*', 'switch_mm*', 'select_task_rq*', 'psi_*', 'resched_curr*', 'wakeup_preempt*', 'autoremove_wake_function', 'default_wake_function', 'pollwake', 'woken_wake_function', 'wait_woken', 'prepare_to_wait*', 'finish_wait', 'reweight_entity', 'avg_vruntime', 'pick_eevdf', 'place_entity', 'update_cfs_*', 'sched_balance_*', 'idle_cpu', 'available_idle_cpu', 'raw_spin_rq_*', 'cpuacct_*'],
    evidence: 'Waking the peer process and switching to it: the context switches of a request/response or of a relay. kallsyms: try_to_wake_up, __schedule, finish_task_switch.isra.0, enqueue_task_fair, select_task_rq_fair, psi_task_change.',
  },
];

/**
 * Kernel modules whose code belongs to one component: a fallback for static helpers with generic names when the kernel
 * builds these as modules (as the study's Ubuntu kernel did) and perf names the module as the frame's DSO
 * (`[bridge]`, or the path of `bridge.ko`). Unused on a monolithic kernel such as this VM's, where every DSO is
 * `[kernel.kallsyms]`.
 */
const MODULE_COMPONENTS: readonly { module: string; component: Component }[] = [
  { module: 'br_netfilter', component: 'netfilter' },
  { module: 'ebtable*', component: 'netfilter' },
  { module: 'ebt_*', component: 'netfilter' },
  { module: 'nf_*', component: 'netfilter' },
  { module: 'nft_*', component: 'netfilter' },
  { module: 'ip_tables', component: 'netfilter' },
  { module: 'ip6_tables', component: 'netfilter' },
  { module: 'iptable_*', component: 'netfilter' },
  { module: 'ip6table_*', component: 'netfilter' },
  { module: 'ipt_*', component: 'netfilter' },
  { module: 'x_tables', component: 'netfilter' },
  { module: 'xt_*', component: 'netfilter' },
  { module: 'ip_set*', component: 'netfilter' },
  { module: 'bridge', component: 'bridge' },
  { module: 'veth', component: 'veth' },
  { module: 'vxlan', component: 'vxlan' },
  { module: 'udp_tunnel', component: 'vxlan' },
  { module: 'ip6_udp_tunnel', component: 'vxlan' },
  { module: 'tun', component: 'tun' },
  { module: 'ipip', component: 'ipip' },
  { module: 'ip_tunnel', component: 'ipip' },
  { module: 'tunnel4', component: 'ipip' },
  { module: 'openvswitch', component: 'ovs' },
  { module: 'cls_bpf', component: 'ebpf' },
  { module: 'act_bpf', component: 'ebpf' },
];

/** GCC/LLVM clone suffixes: `fdb_delete.isra.0`, `__tcf_classify.constprop.0`, `br_nf_pre_routing.cold`. */
const CLONE_SUFFIX_RE = /(?:\.(?:isra|constprop|part|cold|llvm|lto_priv|localalias)(?:\.\d+)?)+$/;

/** The symbol as the table sees it: clone suffixes removed. */
export function normalizeSymbol(sym: string): string {
  return sym.includes('.') ? sym.replace(CLONE_SUFFIX_RE, '') : sym;
}

/** A glob (`*` = any run of characters) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

const RULE_RES = COMPONENT_RULES.map((r) => globToRegExp(r.pattern));
const MODULE_RES = MODULE_COMPONENTS.map((m) => globToRegExp(m.module));

/** Symbols repeat millions of times in a profile: remember each one's rule, in bounded space. */
const RULE_CACHE_MAX = 100_000;
const ruleCache = new Map<string, ComponentRule | null>();

/**
 * A copy of `s` that does not share storage with a larger string: V8 represents slices of a big chunk of text as views
 * into it, so keeping a slice as a map key would keep the whole chunk alive.
 */
export function detachString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** The first rule of the table that matches `sym`, or undefined. */
export function ruleOfSymbol(sym: string): ComponentRule | undefined {
  const cached = ruleCache.get(sym);
  if (cached !== undefined) return cached ?? undefined;
  const name = normalizeSymbol(sym);
  let found: ComponentRule | null = null;
  for (let i = 0; i < RULE_RES.length; i++) {
    if (RULE_RES[i]!.test(name)) {
      found = COMPONENT_RULES[i]!;
      break;
    }
  }
  if (ruleCache.size >= RULE_CACHE_MAX) ruleCache.clear();
  ruleCache.set(detachString(sym), found);
  return found ?? undefined;
}

/**
 * The component a kernel symbol belongs to by the table, out of context: undefined for symbols of no component,
 * for excluded ones, and for shared tunnel frames (which only the call chain can decide; see attributeSample).
 */
export function componentOfSymbol(sym: string): Component | undefined {
  return ruleOfSymbol(sym)?.component ?? undefined;
}

/** Module name of a kernel-module DSO (`[bridge]`, `/lib/modules/…/bridge.ko.xz`), else undefined. */
function moduleOfDso(dso: string): string | undefined {
  if (dso.startsWith('[') && dso.endsWith(']')) {
    const name = dso.slice(1, -1);
    return /^[A-Za-z0-9_-]+$/.test(name) ? name.replace(/-/g, '_') : undefined;
  }
  const m = /\/([^/]+)\.ko(?:\.[a-z]+)?$/.exec(dso);
  return m ? m[1]!.replace(/-/g, '_') : undefined;
}

/** DSOs are few ([kernel.kallsyms], a handful of modules and libraries) and repeat on every frame: remembered. */
const moduleCache = new Map<string, Component | null>();

/** The component of a frame by its kernel-module DSO alone, or undefined. */
export function componentOfModule(dso: string): Component | undefined {
  let c = moduleCache.get(dso);
  if (c === undefined) {
    const mod = moduleOfDso(dso);
    const i = mod === undefined ? -1 : MODULE_RES.findIndex((re) => re.test(mod));
    c = i < 0 ? null : MODULE_COMPONENTS[i]!.component;
    if (moduleCache.size >= RULE_CACHE_MAX) moduleCache.clear();
    moduleCache.set(detachString(dso), c);
  }
  return c ?? undefined;
}

const STACK_RES: { part: StackPart; re: RegExp }[] = STACK_RULES.flatMap((g) => g.patterns.map((p) => ({ part: g.part, re: globToRegExp(p) })));
const TRANSPARENT_RE = new RegExp(TRANSPARENT_FRAMES.map((g) => globToRegExp(g).source).join('|'));
/** A frame's second-tier part: a part, 'transparent' (walk past it), or null (no group names it). */
const partCache = new Map<string, StackPart | 'transparent' | null>();

export function stackPartOfSymbol(sym: string): StackPart | 'transparent' | undefined {
  let part = partCache.get(sym);
  if (part === undefined) {
    const name = normalizeSymbol(sym);
    part = TRANSPARENT_RE.test(name) ? 'transparent' : (STACK_RES.find((r) => r.re.test(name))?.part ?? null);
    if (partCache.size >= RULE_CACHE_MAX) partCache.clear();
    partCache.set(detachString(sym), part);
  }
  return part ?? undefined;
}
