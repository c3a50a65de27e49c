// The hashes and encodings the CNIs' Go code uses to derive chain and set names, reproduced so the generated names
// match the real ones. Pure.
import { createHash } from 'node:crypto';

export function sha(algo: 'sha1' | 'sha224' | 'sha256', data: string): Buffer {
  return createHash(algo).update(data).digest();
}

/** Go's base64.RawURLEncoding. */
export function base64RawUrl(buf: Buffer): string {
  return buf.toString('base64url');
}

/** Go's base32.StdEncoding (with padding). */
export function base32Std(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}
