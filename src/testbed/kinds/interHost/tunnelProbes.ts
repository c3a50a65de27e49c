// The evidence every tunnel device leaves: node-a sends through it, node-b receives through it.
import type { ProbeKit } from '../probeKit.ts';

export function tunnelProbes(kit: ProbeKit, device: string): void {
  kit.link('node-a:tunnel:tx', `node-a sent through ${device}`, 'node-a', device, 'tx_packets');
  kit.link('node-b:tunnel:rx', `node-b received through ${device}`, 'node-b', device, 'rx_packets');
}
