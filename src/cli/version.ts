import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

declare const __KHEADERS_VERSION__: string | undefined;

/** The package version: set by the bundler in dist/, read from package.json when run from source. */
export function version(): string {
  if (typeof __KHEADERS_VERSION__ === 'string') return __KHEADERS_VERSION__;
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
