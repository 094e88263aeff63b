// Preloaded into each service with BENCH_CPU_PROF=<dir> (NODE_OPTIONS=--require; --cpu-prof is not allowed
// there): a V8 CPU profile of the whole process, written to <dir>/<name>-<pid>.cpuprofile when it exits.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join, basename, dirname } = require('node:path');

const dir = process.env.BENCH_CPU_PROF;
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
process.on('exit', () => {
  // In-thread inspector sessions answer synchronously, so this completes before the process ends.
  session.post('Profiler.stop', (error, result) => {
    if (error || !dir) return;
    const main = process.argv[process.argv.length - 1] ?? 'node';
    const name = basename(dirname(dirname(main)));
    writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
