// Summarises a vitest JSON report (test-results/vitest.json): one closing line, then each failure with the first lines
// of its message. `./dev test` prints it after the run and writes it to test-results/summary.txt, which `.ci/run`
// prints again at the very end, so a CI log's tail names what failed even when the fault suite ran after it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const reportPath = process.argv[2] ?? 'test-results/vitest.json';
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const messageLines = 8;
const excerpt = (messages) =>
  messages
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, messageLines)
    .map((line) => `      ${line}`)
    .join('\n');

const failures = [];
for (const file of report.testResults) {
  const name = relative(process.cwd(), file.name);
  const failedTests = file.assertionResults.filter((a) => a.status === 'failed');
  for (const test of failedTests) failures.push(`  ✗ ${name} › ${test.fullName}\n${excerpt(test.failureMessages ?? [])}`);
  // A file that fails outside a test (a hook, an import) has no failed test: count it as one failure.
  if (file.status === 'failed' && failedTests.length === 0)
    failures.push(`  ✗ ${name} (outside any test)\n${excerpt([file.message ?? ''])}`);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`vitest: ${report.numPassedTests} passed, ${failures.length} failed, ${skipped} skipped`);
if (failures.length > 0) console.log(failures.join('\n'));
