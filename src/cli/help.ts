// Every help text of the CLI in one place.
import { MODELS } from '../testbed/models/index.ts';
import { NETPERF_TESTS, STUDY_TESTS } from '../tools/netperf/types.ts';
import { MAX_SERVICES, SCHEDULE_DEFAULTS, STUDY_DEFAULTS } from '../collect/plan.ts';
import { MAX_POLICY_RULES } from '../testbed/policy/scaleRules.ts';
import { DEFAULT_SENDER_NICE } from '../collect/placement.ts';

const models = MODELS.map((m) => m.id).join(', ');

export const HELP: Record<string, string> = {
  main: `cnibench — what does a Kubernetes CNI datapath cost?

Usage: cnibench <command> [options]

Commands:
  doctor                 check every prerequisite and kernel feature (exit 1 if collect cannot run)
  models                 list the datapath models the local testbed can build
  collect                run the netperf matrix and save raw output under data/runs/<run-id>/
  report                 rebuild the paper-style report (reports/index.html + report.pdf) from data/
  summary [RUN]          how far each configuration of a run can be trusted: spread, CI, control ratio, flags
  cpp [RUN…]             CPU cycles per packet by component, FIB lookups and context switches of profiled runs
  testbed up <model>     build one model's testbed to explore by hand (prints how to get in)
  testbed down <prefix>  remove a testbed built by "testbed up"
  testbed list           show testbeds that exist now
  testbed cleanup        remove every leftover of any cnibench testbed (namespaces, processes, BPF pins, perf folders)
  cleanup --backend k8s  remove every object cnibench left in a cluster (by its label); --backend local = testbed cleanup

Run "cnibench <command> --help" for a command's options.

Exit codes (every command):
  0  done
  1  a run failed or was interrupted (it is kept: "cnibench collect --resume RUN" goes on), or the work could not be
     finished (a report that could not be built, a check that found something missing, a cleanup that failed)
  2  bad input, nothing done: an unknown option or run, a bad value, a missing prerequisite, or a cluster that
     refused before anything was created — the message says what to change`,

  doctor: `Usage: cnibench doctor

Probes every tool and kernel feature cnibench uses (root, netperf, perf events, tracefs, iptables legacy/nft,
clang + BPF, tc, VXLAN, IPIP, TUN, CNI plugins, Chromium, Jupyter + tslab) and prints ok / missing / how to fix.
Exits 1 when "cnibench collect --backend local" cannot run.`,

  models: `Usage: cnibench models [--json]

Lists the datapath models: what each one builds within a node (intra) and between nodes (inter).`,

  collect: `Usage: cnibench collect [options]

Runs netperf ${STUDY_TESTS.join(', ')} (and tcp_crr when asked) between pods of each model's testbed and writes
data/runs/<run-id>/ (manifest.json + raw/). On the local testbed every item's datapath is checked with counters.
Ctrl-C stops cleanly: the testbed is removed and the run can be resumed.

Options:
  --backend local|k8s        where to run: the local testbed of network namespaces (default), or the Kubernetes cluster
                             of your kubeconfig (see "Kubernetes" below and the README)
  --cni LIST                 models, comma-separated (default: all). One of: ${models}
  --scenario LIST            intra, inter (default: both)
  --tests LIST               ${NETPERF_TESTS.join(', ')} (default: the study's three), or none;
                             tcp_crr opens a new TCP connection per transaction (beyond the study)
  --reps N                   repetitions of each configuration, taken as N rounds (default ${STUDY_DEFAULTS.reps}, as the study)
  --duration S               seconds per netperf run (default ${STUDY_DEFAULTS.durationS}, as the study)
  --iptables legacy|nft      iptables flavour for policy models (default legacy, as the study's kernel)
  --calico-rules N           rules in Calico's per-workload policy for calico-wp* (default 500)
  --policy-rules N           add N rules to the network policy selecting the netperf pods, ahead of the one that admits
                             the test flow (each admits one other address on one port; 0 to ${MAX_POLICY_RULES}): calico-wp*,
                             weave and kube-router (which then runs with a policy), whose iptables every new connection
                             walks (see tcp_crr), and cilium-wp (BPF maps, at most 16,382: Cilium's policy map size).
                             Beyond the study
  --wire veth|nic            the link between the two nodes: veth (default; offloads on, so one packet may carry many
                             frames), or nic: GSO, TSO and GRO off, so every frame crosses it as a frame, as on a NIC
                             without offloads (needs ethtool)
  --profile                  also profile each model and scenario: a stream run under perf record -a -g and one
                             under perf stat -a (cycles or cpu-clock, context switches, FIB lookups), once in each
                             of the first --profile-reps rounds; with --sweep, at every size and implementation
                             (cycles per connection against N, Fig. 12: needs --profile-tests tcp_crr, tcp_rr or
                             udp_rr; the controls are not profiled)
  --profile-duration S       seconds of each profiled run (default 10, as the study)
  --profile-freq HZ          perf record sampling frequency (default 999)
  --profile-reps N           profiles per model and scenario (in a sweep: per size), one per round (default 5, or
                             the rounds if fewer)
  --profile-tests LIST       tests to profile: tcp_stream (default, as the study), tcp_rr, udp_rr, tcp_crr; a
                             request/response profile gives cycles per transaction (one-byte messages: no
                             segmentation to divide by); tcp_crr's transaction is one new connection
  --launch [N]               also time N pod launches per model, each step of the pod's network set-up and its
                             tear-down (default 30, as the study); "--tests none --launch" times launches only
  --resume RUN               continue an interrupted run (id under data/runs, or its folder), in the same order

Services (beyond the study; local testbed):
  --proxy none|default|iptables|nftables|ebpf
                             the Service datapath on the nodes: kube-proxy's rules as its iptables or nftables mode
                             writes them, or an eBPF load balancer at the client pod's sockets (Cilium's kube-proxy
                             replacement); default: each model its own (Cilium ebpf, the others iptables). Without
                             --proxy: none (as the study), or default when --services or --target service is given.
                             Models that do not combine with it are skipped (kube-proxy with Cilium's eBPF redirect,
                             ebpf with the CNIs that run beside kube-proxy, the references); the controls still run.
                             ipvs is refused with why. A list (e.g. iptables,nftables,ebpf) compares them in one run:
                             each model with every one it combines with, a testbed each, interleaved in every round
  --services N               Services installed besides the ones under test, 1-3 endpoints each over the testbed's
                             pods (default 0, at most ${MAX_SERVICES}); the load time of each node's rules (or maps) is recorded
  --sweep policy-rules=N,…   measure the policy models at each number of --policy-rules (e.g. policy-rules=10,100,1000,
                             10000): one testbed per model and size, interleaved like --sweep services (other models once)
  --sweep services=N,N,…     measure every model at each number of Services (e.g. services=1,100,1000,10000): one
                             testbed per model and size, the sizes interleaved in every round like any other
                             configuration (the controls run once, pod to pod); instead of --services
  --target pod|service       where the tests go: the server pod (default, as the study) or the ClusterIP of its Service;
                             every item then proves its connections were translated (conntrack, or the load
                             balancer's counters)

Method (see the README, "Method"):
  --order interleaved|blocked
                             interleaved (default): rounds, each every configuration once in a fresh random order;
                             blocked: model by model, repetitions back to back (the old order, for comparison)
  --seed N                   seed of the random orders (default: drawn and recorded); replays a run's order
  --placement same|split|both|free
                             where netperf and netserver run: both on one CPU (same, default: the stable choice on a
                             2-vCPU VM), on two CPUs (split), each configuration both ways (both), or unpinned (free)
  --idle default|awake       awake holds /dev/cpu_dma_latency at 0 µs while measuring so no CPU halts (needs a cpuidle
                             driver with a polling state; doctor says); default leaves idle states alone
  --sender-nice N            nice value netperf (the sending end) runs at, 0-19 (default ${DEFAULT_SENDER_NICE}): with both
                             ends on one CPU the receiver then runs as soon as data arrives, so a stream settles in one
                             scheduling pattern instead of two; 0 gives both ends equal priority (runs made before it)
  --warmup S                 seconds of the discarded warm-up run before each configuration's first item on a testbed
                             (default ${SCHEDULE_DEFAULTS.warmupS}, or the duration if shorter; 0: none)
  --no-control               do not add the control models (baseline within a node, host between nodes) that run in
                             every round so each result can also be read relative to its round's control
  --precision P              adaptive stopping: a configuration stops once the 95% CI of its mean is within ±P of the
                             mean (e.g. 0.02), checked after each round; replaces --reps
  --min-rounds N             rounds before a configuration may stop (default ${SCHEDULE_DEFAULTS.minRounds})
  --max-rounds N             most rounds of a configuration (default ${SCHEDULE_DEFAULTS.maxRounds})
  --data-dir DIR             where runs are written (default: the project's data/)
  -h, --help                 this text

Kubernetes (--backend k8s; --cni then names the cluster's CNI, overriding detection; --iptables, --calico-rules, --policy-rules,
--wire, --placement, --idle, --sender-nice, --no-control, --proxy, --services, --sweep and --target do not apply; rounds, seed, warm-up and --precision do):
  --context NAME             kubeconfig context (default: the current one)
  --kubeconfig FILE          kubeconfig file (default: kubectl's, $KUBECONFIG or ~/.kube/config)
  --namespace NS             namespace of the pods (default cnibench; created if absent and then deleted at the end)
  --nodes A[,B]              node A: client and intra-host server; node B: inter-host server (default: two schedulable
                             workers, chosen and recorded; one node means intra-host only)
  --image IMAGE              image with netperf 2.7 for every pod (default docker.io/antrea/netperf-ubuntu:2.7)
  --image-arch A[,B]         CPU architectures the image is built for, as kubernetes.io/arch names them (default
                             amd64): only Linux nodes of these are chosen, and the pods select them
  --profile-image IMAGE      image of the privileged profiler DaemonSet (default: --image); it needs perf, or nsenter
                             to use the node's own perf
  --ready-timeout S          seconds to wait for pods to be Ready before stopping with the reason (default 300)

Exit code: 0 the run completed and every item gave a result; 1 some items failed, a testbed could not be removed (the
last lines say how to remove it), or the run was interrupted (Ctrl-C) or stopped by an error — it is kept, and
--resume RUN goes on; 2 bad input or a missing prerequisite, found before the run was created (nothing was created).

Examples: cnibench collect --cni flannel,cilium --scenario intra --reps 3 --duration 2
         cnibench collect --precision 0.02 --duration 5 --profile
         cnibench collect --backend k8s --context kind-cnibench --reps 5 --duration 5 --launch 30`,

  report: `Usage: cnibench report [--run ID…] [--data-dir DIR] [--out DIR] [--pdf|--no-pdf] [--force] [--interactive]

Rebuilds the report from raw data only (no root, no testbed): reads the runs under DIR/runs (default: every run in
the project's data/), checks every raw file against its checksum, derives the tables, draws the figures, tests the
study's claims and writes
  OUT/index.html        one self-contained page (inline CSS and SVG, nothing fetched)
  OUT/report.pdf        the same page printed by the system Chromium (A4)
  OUT/interactive.html  with --interactive: the same page again, every data figure with hover tips (see below)
  OUT/figures/*.svg     every figure
  OUT/tables/*.csv      the table behind every figure, and every raw file's checksum
  OUT/tables/folded-<model>-<scenario>.folded.gz
                        the profiles' samples as folded stacks, for flame-graph tools (zcat F | flamegraph.pl)
Damaged files, failed or skipped items and unfinished runs are noted in the report and on stderr; the report is
built from what is sound. The same data and code give the same files, byte for byte (the PDF too: it carries the
data's date, not the build's). When no raw file, source or output has changed since the last build (same sizes and
modification times, as make judges), it says so and stops; the PDF is printed again only when the HTML changed.

Options:
  --run ID          a run to include (repeat, or comma-separate; run ids may also be given as arguments)
  --data-dir DIR    where runs live (default: the project's data/)
  --out DIR         where the report goes (default: the project's reports/)
  --pdf             require the PDF (fail if Chromium is missing); default: print it when Chromium is there
  --no-pdf          skip the PDF
  --force           rebuild (and re-verify every checksum) even when nothing changed
  --interactive     also write OUT/interactive.html: resting the pointer on a bar, segment, point or whisker of a
                    data figure (Fig. 3a–f, 4–9) shows n, the mean, its 95% CI and the repetitions behind it (their
                    count and range when there are many). Still one self-contained file that fetches and runs
                    nothing: the tips are SVG <title>s, no script. index.html and the PDF stay static; a build
                    without --interactive removes an earlier interactive.html
  -h, --help        this text
Caches (drawn figures, profile attributions, printed PDFs, build stamps) live in the project's .cache/report/;
the environment variable CNIBENCH_CACHE_DIR puts them elsewhere (an empty folder gives a cold build).`,

  cpp: `Usage: cnibench cpp [RUN…] [--csv DIR] [--by-cpu] [--data-dir DIR]

Reads the profiled items of the runs named (default: the newest run under data/runs) and prints, per model and
scenario, CPU cycles per wire frame for each component — the study's (bridge, fib, ip-forward, netfilter, ebpf,
veth, vxlan, ipip, ovs), the TUN device (tun), the rest of the kernel by part (tcp, udp, ip, netdev, softirq,
socket, syscall, sched, memory, irq-lock, tracing, and stack for what no part names) and user space — the total,
FIB lookups per 100,000 packets and context switches per packet. Samples are attributed by walking each call
chain from the leaf (two tiers: the study's components first); idle samples are left out. Where the machine has
no hardware cycle counter the cycles are estimated (cpu-clock × nominal MHz) and every row says so.
Request/response profiles (collect --profile-tests tcp_rr,udp_rr) are printed apart, in cycles per transaction.
--csv DIR writes the long tables as cpp.csv (with cycles per skb and per KB as well), packet-events.csv and
cpp-transactions.csv, and the folded stacks of each model and scenario's stream profiles
(folded-<model>-<scenario>.folded.gz, for flame-graph tools).
--by-cpu prints instead, per profile and CPU, which end (client, server) was pinned there and the share of the
busy samples, of the study's components, of the rest of the kernel and of user space taken on it: whether the
sending and the receiving side can be told apart by CPU (collect with --placement split to try).`,

  summary: `Usage: cnibench summary [RUN] [--csv FILE] [--data-dir DIR]

For one run (default: the newest with netperf items) and each configuration (model / scenario / test, with the
placement when a run measured two): the number of repetitions, the mean, the coefficient of variation, max/min, the
half-width of the 95% CI of the mean, the mean ratio to the same round's control (baseline within a node, host
between nodes), why it stopped taking rounds, and the items flagged for a machine condition (steal, a busy CPU that
was not ours, halts while idle was held awake, drops, retransmissions, UDP errors, a process off its CPU). Ends with
the share of configurations with CV ≤ 5% and max/min ≤ 1.3 and, for each that misses it, which recorded condition
set its farthest repetition apart. Items measured in a whole-machine disturbance (far from their median while
the items of other configurations around them moved the same way) are set aside from every number and listed with
why; the share is also given with every item kept. Last, where the run's time went: netperf's measurement windows
against the wall time, and the rest split into netperf past its windows, the items' own readings, warm-ups, testbed
bring-ups and what is left. --csv FILE writes the table.`,

  cleanup: `Usage: cnibench cleanup --backend k8s [--context NAME] [--kubeconfig FILE] [--namespace NS] [--run ID]
       cnibench cleanup --backend local

k8s: deletes every pod and DaemonSet labelled app.kubernetes.io/managed-by=cnibench (of one run with --run) in every
namespace — or in --namespace (default cnibench) when you may not delete across namespaces — then the namespaces
cnibench created, unless they hold pods that are not cnibench's. A collection removes its objects itself at the end,
on failure and on Ctrl-C; this is for a run that was killed.
local: the same as "cnibench testbed cleanup" (needs root).`,

  testbed: `Usage: cnibench testbed <up|down|list|cleanup> …

  testbed up <model> [--scenario intra,inter] [--iptables legacy|nft] [--calico-rules N] [--policy-rules N]
             [--wire veth|nic] [--proxy default|iptables|nftables|ebpf] [--services N] [--no-netserver]
      Builds the model's namespaces, links, routes, rules and programs and leaves them up; with --proxy or --services
      also the Services (as collect installs them) and prints how to reach them.
  testbed down <prefix>      removes one testbed (its prefix is printed by "up" and "list")
  testbed list               lists testbeds that exist now
  testbed cleanup            removes every cnib* namespace, the processes inside them, BPF pins, state and perf's
                             working folders in the temp directory (cnibench-perf-cnib*-*)`,
};
