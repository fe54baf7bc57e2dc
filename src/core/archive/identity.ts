// The kernel release and version an archive (or a prepared tree) was built for.

export interface KernelIdentity {
  /** UTS_RELEASE from include/generated/utsrelease.h, e.g. "6.1.0-13-amd64". */
  release?: string;
  /** LINUX_VERSION_CODE from include/generated/uapi/linux/version.h. */
  versionCode?: number;
  /** "major.patchlevel.sublevel" from version.h. */
  version?: string;
}

export const UTSRELEASE_H = 'include/generated/utsrelease.h';
export const VERSION_H = 'include/generated/uapi/linux/version.h';

/** UTS_RELEASE out of utsrelease.h text. */
export function parseUtsRelease(text: string): string | undefined {
  const rel = define(text, 'UTS_RELEASE');
  return rel !== undefined && /^"[^"\n]+"$/.test(rel) ? rel.slice(1, -1) : undefined;
}

function define(text: string, name: string): string | undefined {
  const m = new RegExp(`^#define\\s+${name}\\s+(.+?)\\s*$`, 'm').exec(text);
  return m?.[1];
}

/** Fills identity from utsrelease.h / version.h contents (either may be missing). */
export function readIdentity(files: Map<string, Buffer>): KernelIdentity {
  const id: KernelIdentity = {};
  const uts = files.get(UTSRELEASE_H)?.toString('utf8');
  const rel = uts === undefined ? undefined : parseUtsRelease(uts);
  if (rel !== undefined) id.release = rel;
  const ver = files.get(VERSION_H)?.toString('utf8');
  if (ver !== undefined) {
    const code = Number(define(ver, 'LINUX_VERSION_CODE'));
    if (Number.isSafeInteger(code) && code >= 0) id.versionCode = code;
    const parts = ['LINUX_VERSION_MAJOR', 'LINUX_VERSION_PATCHLEVEL', 'LINUX_VERSION_SUBLEVEL'].map((n) => define(ver, n));
    if (parts.every((p) => p !== undefined && /^\d+$/.test(p))) id.version = parts.join('.');
    else if (id.versionCode !== undefined) {
      // Older kernels define only the code; the sublevel byte saturates at 255.
      const c = id.versionCode;
      id.version = `${c >> 16}.${(c >> 8) & 0xff}.${c & 0xff}`;
    }
  }
  return id;
}
