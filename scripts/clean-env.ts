/** The environment without knobs that would change xz/tar output behind our back (bench and e2e). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const k of ['XZ_OPT', 'XZ_DEFAULTS', 'TAR_OPTIONS', 'KBUILD_BUILD_TIMESTAMP', 'SOURCE_DATE_EPOCH']) delete env[k];
  return env;
}
