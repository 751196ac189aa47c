#!/usr/bin/env node
// API reports: one `packages/<pkg>/api/<name>.api.md` per package entry point, made by
// api-extractor from the built typings. `--check` fails when a report differs from the
// committed one (the public surface changed); without it the reports are rewritten.
// Run after `tsc -b` (the npm scripts `api` and `api:check` build first).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const tempFolder = join(root, 'tmp', 'api-report');
mkdirSync(tempFolder, { recursive: true });

/** Every package's export entry points: `.` -> `<pkg>`, `./parquet` -> `<pkg>-parquet`. */
function entryPoints(pkg) {
  const dir = join(root, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return Object.entries(manifest.exports).map(([subpath, target]) => ({
    dir,
    typings: join(dir, target.types),
    report: subpath === '.' ? pkg : `${pkg}-${subpath.slice(2).replace(/\//g, '-')}`,
  }));
}

// Findings (forgotten exports, release-tag mix-ups) go into the report, where review sees them.
const inReport = { logLevel: 'none', addToApiReportFile: true };
function configFor({ dir, typings, report }) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: typings,
      compiler: { overrideTsconfig: { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], types: ['node'], skipLibCheck: true }, files: [typings] } },
      apiReport: { enabled: true, reportFolder: join(dir, 'api'), reportTempFolder: tempFolder, reportFileName: `${report}.api.md` },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: { default: inReport, 'ae-missing-release-tag': { logLevel: 'none' }, 'ae-unresolved-link': { logLevel: 'none' }, 'ae-undocumented': { logLevel: 'none' } },
        // doc comments are prose for readers, not TSDoc for a doc generator
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(dir, 'package.json'),
  });
}

// api-extractor analyses with its own TypeScript; saying so on every run is noise
function quietNotices(message) {
  if (message.messageId === 'console-preamble') message.handled = true;
}

/** The change in CI's log, so a failed check says what moved without a local run. */
function showDifference(committed, fresh) {
  const diff = spawnSync('diff', ['-u', committed, fresh], { encoding: 'utf8' });
  console.error(diff.stdout || diff.error?.message || '');
}

const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json')));
const changed = [];
let failed = false;
for (const entry of packages.flatMap(entryPoints)) {
  if (!check) mkdirSync(join(entry.dir, 'api'), { recursive: true });
  const result = Extractor.invoke(configFor(entry), { localBuild: !check, messageCallback: quietNotices });
  if (result.apiReportChanged) {
    changed.push(`packages/${basename(entry.dir)}/api/${entry.report}.api.md`);
    if (check) showDifference(join(entry.dir, 'api', `${entry.report}.api.md`), join(tempFolder, `${entry.report}.api.md`));
  }
  if (result.errorCount > 0) failed = true;
}
if (check && changed.length > 0) {
  console.error(`The public API changed: ${changed.join(', ')}.\nReview the difference, then run \`npm run api\` and commit the updated reports.`);
  process.exit(1);
}
if (changed.length > 0) console.log(`updated: ${changed.join(', ')}`);
if (failed) process.exit(1);
