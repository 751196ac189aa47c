#!/usr/bin/env node
// Runs the compiled CLI when the package is built, else (or when run with the monorepo's
// `--conditions=weir-source`, which resolves @weir packages to their TypeScript sources) the
// TypeScript source through tsx's loader, in this same process so signals reach the CLI directly.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
const fromSource = process.execArgv.some((a) => a.includes('weir-source'));
if (existsSync(compiled) && !fromSource) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
