// Parses /proc/net/snmp (per network namespace): pairs of header and value lines per protocol, read as "Proto:Key".

/** Every counter of /proc/net/snmp as "Tcp:RetransSegs" → value. */
export function parseSnmp(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n').filter((l) => l.trim());
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [proto, ...keys] = lines[i]!.trim().split(/\s+/);
    const [proto2, ...values] = lines[i + 1]!.trim().split(/\s+/);
    if (!proto?.endsWith(':') || proto !== proto2 || keys.length !== values.length) {
      throw new Error(`/proc/net/snmp: header and values do not pair at line ${i + 1} ("${lines[i]}")`);
    }
    keys.forEach((k, j) => { out[`${proto}${k}`] = Number(values[j]); });
  }
  return out;
}

/** The counters an item's conditions keep: retransmissions and UDP errors of the namespace's sockets. */
export const SNMP_CONDITION_KEYS = ['Tcp:RetransSegs', 'Tcp:InErrs', 'Udp:InErrors', 'Udp:RcvbufErrors', 'Udp:SndbufErrors', 'Udp:NoPorts'] as const;
export type SnmpConditionKey = (typeof SNMP_CONDITION_KEYS)[number];

export function snmpConditions(text: string): Record<SnmpConditionKey, number> {
  const all = parseSnmp(text);
  return Object.fromEntries(SNMP_CONDITION_KEYS.map((k) => {
    const v = all[k];
    if (v === undefined) throw new Error(`/proc/net/snmp has no ${k}`);
    return [k, v];
  })) as Record<SnmpConditionKey, number>;
}
