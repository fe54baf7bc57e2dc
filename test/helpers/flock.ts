// Holding the lock on the shared, cached kernel tree from inside a test run.
import { spawn } from 'node:child_process';

/**
 * Holds `flock file` until the returned release function is called, so other
 * users of the cached tree (make, the benchmark, the other e2e files) do not
 * write into it meanwhile.
 */
export async function holdLock(file: string): Promise<() => Promise<void>> {
  const holder = spawn('flock', [file, process.execPath, '-e', "process.stdout.write('locked\\n'); process.stdin.resume()"], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const closed = new Promise<void>((resolve) => holder.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.on('error', reject);
    holder.on('close', (code) => reject(new Error(`flock ${file} exited ${String(code)}`)));
    holder.stdout.once('data', () => resolve());
  });
  return async () => {
    holder.stdin.end();
    await closed;
  };
}
