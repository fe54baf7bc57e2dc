// The kernel's own .config, embedded by CONFIG_IKCONFIG (in the image or in
// configs.ko) as gzip data between the "IKCFG_ST" and "IKCFG_ED" markers.
import { gunzipSync } from 'node:zlib';
import type { ByteSource } from './byte-source.js';

const START = Buffer.from('IKCFG_ST');
const END = Buffer.from('IKCFG_ED');
const CHUNK = 8 << 20;
/** A .config is some 100-300 KiB; its gzip far less. */
const MAX_GZIP = 4 << 20;
const MAX_CONFIG = 16 << 20;

/** Decodes the gzip after a start marker, or undefined when it is not one. */
async function at(src: ByteSource, pos: number): Promise<string | undefined> {
  const from = pos + START.length;
  const window = await src.read(from, Math.min(MAX_GZIP + END.length, src.size - from));
  if (window.length < 3 || window[0] !== 0x1f || window[1] !== 0x8b || window[2] !== 8) return undefined;
  const end = window.indexOf(END);
  if (end < 0) return undefined;
  try {
    const text = gunzipSync(window.subarray(0, end), { maxOutputLength: MAX_CONFIG }).toString('utf8');
    return /^(#|CONFIG_)/m.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The embedded .config of a kernel image, vmlinux or configs.ko, or undefined when it has none. */
export async function readIkconfig(src: ByteSource): Promise<string | undefined> {
  for (let base = 0; base < src.size; base += CHUNK) {
    const buf = await src.read(base, Math.min(CHUNK + START.length - 1, src.size - base));
    for (let i = buf.indexOf(START); i >= 0 && i < CHUNK; i = buf.indexOf(START, i + 1)) {
      const text = await at(src, base + i);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/** The value of one option in a .config text: "y", "m", a string or number, or undefined when unset. */
export function configValue(config: string, name: string): string | undefined {
  const m = new RegExp(`^${name}=(.*)$`, 'm').exec(config);
  return m?.[1];
}
