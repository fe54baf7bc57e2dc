// How many bzip2 processes a payload gets: the cores free now, counted from
// the tasks Linux has running at this instant, not from the minute's load
// average (which still counts what ran before).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { busyTasks, idleCores } from '../../src/core/sources/codecs/bzip2/parallel.js';

void describe('bzip2: idle cores', () => {
  void it('reads the running count from /proc/loadavg, less this process\'s running threads; the average where there is none', () => {
    assert.equal(busyTasks('3.90 3.10 2.00 1/345 9999\n', () => 1), 0);
    assert.equal(busyTasks('0.00 0.00 0.00 4/345 9999\n', () => 1), 3);
    assert.equal(busyTasks('0.00 0.00 0.00 4/345 9999\n', () => 3), 1);
    assert.equal(busyTasks('0.00 0.00 0.00 2/345 9999\n', () => 3), 0);
    assert.ok(busyTasks('0.00 0.00 0.00 1/345 9999\n') === 0, 'this thread is running, so it counts itself');
    assert.equal(busyTasks(''), busyTasks('not a loadavg line'));
    assert.equal(idleCores(0), Math.min(4, availableParallelism()));
    assert.equal(idleCores(availableParallelism() + 5), 1);
  });

  void it('counts a process spinning now, on this machine, but not a thread of this one', async () => {
    const spin = spawn(process.execPath, ['-e', 'process.stdout.write("go\\n"); for (;;);'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((ok) => spin.stdout.once('data', ok));
      let most = 0;
      for (let i = 0; i < 20; i++) most = Math.max(most, busyTasks());
      assert.ok(most >= 1, `a spinning child should be counted, got ${most}`);
    } finally {
      spin.kill('SIGKILL');
      await new Promise((ok) => spin.once('exit', ok));
    }
    // A thread of this process spinning, and this one reading: the two running tasks are ours.
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage("go"); for (;;);', { eval: true });
    try {
      await new Promise((ok) => worker.once('message', ok));
      for (let i = 0; i < 5; i++) assert.equal(busyTasks('0.00 0.00 0.00 2/345 9999\n'), 0);
    } finally {
      await worker.terminate();
    }
  });
});
