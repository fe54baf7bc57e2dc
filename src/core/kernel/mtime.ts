import { KheadersError } from '../errors.js';
import type { Mtime } from '../settings.js';
import type { FileRules } from './script.js';

/** The forms parseMtime accepts, for error messages and docs. */
export const MTIME_FORMS = [
  '"@1704067200" (seconds since 1970-01-01 UTC)',
  '"2024-01-01 00:00:00 UTC" or ISO 8601 "2024-01-01T00:00:00Z" / "...+02:00"',
  '`date` output "Mon Jan  1 00:00:00 UTC 2024"',
  'RFC 2822 "Mon, 01 Jan 2024 00:00:00 +0000"',
  'a date or date-time without a zone, taken as local time like GNU tar does',
];

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Zone names GNU date knows, as minutes east of UTC. */
const ZONES: Readonly<Record<string, number>> = {
  utc: 0, ut: 0, gmt: 0, z: 0, wet: 0,
  west: 60, bst: 60, cet: 60, cest: 120, eet: 120, eest: 180, msk: 180,
  ist: 330, jst: 540,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360,
  pst: -480, pdt: -420, akst: -540, hst: -600,
};

const ZONE = String.raw`(?:[a-z]+(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)`;
const TIME = String.raw`(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?`;
const DOW = String.raw`(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?`;
const MON = String.raw`(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*`;

/** 2024-01-01[ T]00:00[:00[.frac]][ zone] */
const ISO = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:t|\s+)${TIME})?\s*(${ZONE})?$`);
/** [Mon ]Jan  1 00:00:00 [UTC ]2024 (date(1) output) */
const DATE1 = new RegExp(String.raw`^(?:${DOW}\s+)?${MON}\s+(\d{1,2})\s+${TIME}\s+(?:(${ZONE})\s+)?(\d{4})$`);
/** [Mon, ]01 Jan 2024 00:00:00 [+0000] (RFC 2822) */
const RFC2822 = new RegExp(String.raw`^(?:${DOW}\s*)?(\d{1,2})\s+${MON}\s+(\d{4})\s+${TIME}\s*(${ZONE})?$`);

interface Parts {
  y: number; mo: number; d: number; h: number; mi: number; s: number;
  zone: string | undefined;
}

function bad(text: string, why: string): KheadersError {
  return new KheadersError('BAD_INPUT',
    `cannot use ${JSON.stringify(text)} as an archive timestamp: ${why}`,
    `use one of: ${MTIME_FORMS.join('; ')}`,
  );
}

/** Minutes east of UTC for a zone word, or undefined if it is not one we know. */
function zoneOffset(zone: string): number | undefined {
  const num = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (num) {
    const m = Number(num[2]) * 60 + Number(num[3] ?? 0);
    return num[1] === '-' ? -m : m;
  }
  const named = /^([a-z]+)(.*)$/.exec(zone)!;
  const base = ZONES[named[1]!];
  if (base === undefined) return undefined;
  if (named[2] === '') return base;
  // "UTC+2", "GMT-3:30": a zone name plus an offset of its own.
  const rel = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(named[2]!);
  if (!rel) return undefined;
  const m = Number(rel[2]) * 60 + Number(rel[3] ?? 0);
  return base + (rel[1] === '-' ? -m : m);
}

function toEpoch(text: string, p: Parts): number {
  const { y, mo, d, h, mi, s } = p;
  const daysIn = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn) throw bad(text, 'no such day');
  if (h > 23 || mi > 59 || s > 59) throw bad(text, 'no such time of day');
  let ms: number;
  if (p.zone !== undefined) {
    const off = zoneOffset(p.zone);
    if (off === undefined) throw bad(text, `unknown time zone "${p.zone}"`);
    ms = Date.UTC(y, mo - 1, d, h, mi, s) - off * 60_000;
  } else {
    const local = new Date(y, mo - 1, d, h, mi, s);
    if (local.getFullYear() !== y || local.getMonth() !== mo - 1 || local.getDate() !== d ||
        local.getHours() !== h || local.getMinutes() !== mi) {
      throw bad(text, 'that local time does not exist (daylight saving change); add a zone such as UTC');
    }
    ms = local.getTime();
  }
  if (ms < 0) throw bad(text, 'it is before 1970-01-01 00:00:00 UTC');
  return Math.floor(ms / 1000);
}

/** Parse a KBUILD_BUILD_TIMESTAMP / tar --mtime value into epoch seconds. */
export function parseMtime(text: string): number {
  const t = text.trim().replace(/\s+/g, ' ').toLowerCase();
  if (t === '') throw bad(text, 'it is empty');
  const at = /^@(-?\d+)(?:\.\d+)?$/.exec(t);
  if (at) {
    const n = Number(at[1]);
    if (n < 0 || at[1]!.startsWith('-')) throw bad(text, 'it is before 1970-01-01 00:00:00 UTC');
    if (!Number.isSafeInteger(n) || n > 8 ** 11 - 1) throw bad(text, 'it is too far in the future');
    return n;
  }
  let m = ISO.exec(t);
  if (m) {
    return toEpoch(text, {
      y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]),
      h: Number(m[4] ?? 0), mi: Number(m[5] ?? 0), s: Number(m[6] ?? 0), zone: m[7],
    });
  }
  m = DATE1.exec(t);
  if (m) {
    return toEpoch(text, {
      y: Number(m[7]), mo: MONTHS.indexOf(m[1]!) + 1, d: Number(m[2]),
      h: Number(m[3]), mi: Number(m[4]), s: Number(m[5] ?? 0), zone: m[6],
    });
  }
  m = RFC2822.exec(t);
  if (m) {
    return toEpoch(text, {
      y: Number(m[3]), mo: MONTHS.indexOf(m[2]!) + 1, d: Number(m[1]),
      h: Number(m[4]), mi: Number(m[5]), s: Number(m[6] ?? 0), zone: m[7],
    });
  }
  throw bad(text, 'unrecognised date form');
}

/**
 * The archive timestamp: --mtime flag, then KBUILD_BUILD_TIMESTAMP, then
 * SOURCE_DATE_EPOCH (integer seconds), else 0 (1970-01-01 00:00:00 UTC).
 * Empty values count as unset, as in the kernel's `${VAR:+...}`. A set
 * SOURCE_DATE_EPOCH is kept as `sde` for scripts that read it (scriptMtime).
 */
export function resolveMtime(flag: string | undefined, env: NodeJS.ProcessEnv): Mtime {
  const raw = env['SOURCE_DATE_EPOCH']?.trim();
  const sde = raw !== undefined && /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? { sde: Number(raw) } : {};
  if (flag !== undefined && flag.trim() !== '') return { epoch: parseMtime(flag), origin: '--mtime', ...sde };
  const kbuild = env['KBUILD_BUILD_TIMESTAMP'];
  if (kbuild !== undefined && kbuild.trim() !== '') {
    return { epoch: parseMtime(kbuild), origin: 'KBUILD_BUILD_TIMESTAMP', ...sde };
  }
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw)) {
      throw new KheadersError('BAD_INPUT',
        `SOURCE_DATE_EPOCH=${JSON.stringify(env['SOURCE_DATE_EPOCH'])} is not a whole number of seconds`,
        'set SOURCE_DATE_EPOCH to digits only, e.g. SOURCE_DATE_EPOCH=1704067200, or unset it',
      );
    }
    return { epoch: parseMtime(`@${raw}`), origin: 'SOURCE_DATE_EPOCH', ...sde };
  }
  return { epoch: 0, origin: 'default' };
}

/**
 * The mtime the script's rules give (docs/fidelity.md, "which mtime wins").
 * --mtime stands for KBUILD_BUILD_TIMESTAMP. A script reading SOURCE_DATE_EPOCH
 * takes it, else its own default; a fixed date holds unless --mtime overrides it;
 * a KBUILD_BUILD_TIMESTAMP script with a default takes that when neither is set.
 * `archive`: an archive's own mtime (verify), taken as given.
 */
export function scriptMtime(rules: Pick<FileRules, 'mtime' | 'fixedMtime' | 'mtimeDefault'>, given: Mtime): Mtime {
  if (given.origin === 'archive') return given;
  const keep = given.sde !== undefined ? { sde: given.sde } : {};
  const dflt = (): Mtime | undefined => (rules.mtimeDefault !== undefined ? { epoch: parseMtime(rules.mtimeDefault), origin: 'script', ...keep } : undefined);
  switch (rules.mtime ?? 'kbuild') {
    case 'fixed':
      return rules.fixedMtime === undefined || given.origin === '--mtime' ? given : { epoch: parseMtime(rules.fixedMtime), origin: 'script', ...keep };
    case 'sde':
      return given.sde !== undefined ? { epoch: parseMtime(`@${given.sde}`), origin: 'SOURCE_DATE_EPOCH', sde: given.sde } : dflt() ?? given;
    case 'kbuild':
      return given.origin === '--mtime' || given.origin === 'KBUILD_BUILD_TIMESTAMP' ? given : dflt() ?? given;
    case 'files':
      return given;
  }
}
