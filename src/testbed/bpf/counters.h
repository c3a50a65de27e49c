/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event counters shared by cnibench's BPF programs: a per-CPU array with one slot per counter (the including file
 * defines CNT_MAX and the indices), and count() to add one. The loaders read every CPU's slot and sum them.
 */
#ifndef CNIBENCH_COUNTERS_H
#define CNIBENCH_COUNTERS_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1; /* per-CPU slot: no atomics needed */
}

#endif
