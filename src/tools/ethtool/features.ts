// Reads `ethtool -k` (a device's offload features) and names the ones that let one packet stand for several wire
// frames: segmentation offloads (TSO, GSO and their tunnel kinds) and receive merging (GRO).

export interface Feature {
  name: string;
  on: boolean;
  /** The driver does not let it change. */
  fixed: boolean;
}

/** `ethtool -k DEV` output: one feature per line ("name: on|off [fixed]"), the header line skipped. */
export function parseFeatures(text: string): Feature[] {
  const out: Feature[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z0-9_-]+): (on|off)( \[(?:fixed|requested on)\])?\s*$/.exec(line);
    if (m) out.push({ name: m[1]!, on: m[2] === 'on', fixed: m[3]?.includes('fixed') ?? false });
  }
  if (!out.length) throw new Error(`not ethtool -k output: ${JSON.stringify(text.slice(0, 120))}`);
  return out;
}

/** Whether a feature merges frames into one packet on send (segmentation offload) or receive (GRO). */
export function aggregates(name: string): boolean {
  return /segmentation/.test(name) || name === 'generic-receive-offload' || name === 'rx-gro-list' || name === 'rx-udp-gro-forwarding';
}

/**
 * The `ethtool -K DEV …` arguments that turn every changeable aggregating feature off: the usual short names
 * (gso, tso, gro) and each segmentation kind still on by its own name (tunnels, UDP, GSO lists).
 */
export function offloadsOffArgs(features: readonly Feature[]): string[] {
  const own = features.filter((f) => f.on && !f.fixed && aggregates(f.name) && f.name.startsWith('tx-')).map((f) => f.name);
  return ['gso', 'tso', 'gro', ...own].flatMap((name) => [name, 'off']);
}

/** Aggregating features still on (fixed ones included): what keeps a link from carrying frame by frame. */
export function aggregatingOn(features: readonly Feature[]): string[] {
  return features.filter((f) => f.on && aggregates(f.name)).map((f) => f.name);
}
