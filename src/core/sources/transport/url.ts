// URLs as sources: which strings are URLs, URL templates, and hiding credentials in what we print.
import { KheadersError } from '../../errors.js';

/** Values for a URL template's {key}, {arch} and {release}. */
export interface UrlVars {
  key?: string;
  arch?: string;
  release?: string;
}

/** True for http:// and https:// sources. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Fills {key}, {arch} and {release} (URL-encoded); any other {word} is an error. */
export function expandUrlTemplate(template: string, vars: UrlVars): string {
  return template.replace(/\{([^{}/]*)\}/g, (_all, name: string) => {
    if (name !== 'key' && name !== 'arch' && name !== 'release') {
      throw new KheadersError('USAGE', `URL template ${template} has an unknown placeholder {${name}}`, 'use only {key}, {arch} and {release}');
    }
    const v = vars[name];
    if (!v) {
      throw new KheadersError('USAGE', `URL template ${template} needs {${name}}, which is not known here`,
        name === 'key' ? 'pass --key MD5 (kheaders key prints it; the action fills it in itself)' : `pass the ${name} explicitly`);
    }
    return encodeURIComponent(v);
  });
}

/** Hides user:password in URLs we print. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) { u.username = '***'; u.password = ''; }
    return u.href;
  } catch {
    return url;
  }
}
