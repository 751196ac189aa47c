/**
 * A project outside the monorepo that installs the packed tarballs, the way a user's would:
 * helpers to pack, to lay the project out, and to run commands in it.
 */

import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const repoRoot = join(import.meta.dirname, '..', '..');
/** Every folder of packages/ (a new package is packed, installed and license-checked too). */
export const packages = readdirSync(join(repoRoot, 'packages')).filter((p) => existsSync(join(repoRoot, 'packages', p, 'package.json')));

// `npm test` hands its own npm_* variables down; the local prefix one would point a child npm
// back at the monorepo, so the consumer gets a clean npm environment (user config stays).
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_(package|lifecycle|command)|npm_config_local_prefix$|INIT_CWD$)/i.test(k)));

/** Run a command; on failure the error carries its output. */
export async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stderr ?? ''}\n${e.stdout ?? ''}\n${e.message}`);
  }
}

/** Whether the npm registry answers (third-party dependencies install from it). */
export async function registryReachable(): Promise<boolean> {
  try {
    const registry = (await run('npm', ['config', 'get', 'registry'], repoRoot)).trim();
    await fetch(new URL('-/ping', registry.endsWith('/') ? registry : `${registry}/`), { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

/** `npm pack` of every workspace package (its prepack builds it); package name -> tarball path. */
export async function packAll(dest: string): Promise<Map<string, string>> {
  await run('npm', ['pack', '--workspaces', '--pack-destination', dest, '--loglevel=error'], repoRoot);
  const tarballs = new Map<string, string>();
  for (const { name, version } of await manifests()) tarballs.set(name, join(dest, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`));
  return tarballs;
}

interface Manifest {
  name: string;
  version: string;
  exports: Record<string, unknown>;
}

async function manifests(): Promise<Manifest[]> {
  return Promise.all(packages.map(async (p) => JSON.parse(await readFile(join(repoRoot, 'packages', p, 'package.json'), 'utf8')) as Manifest));
}

/** Every import specifier the packages offer: `@weir/files`, `@weir/files/parquet`, … */
export async function entryPoints(): Promise<string[]> {
  return (await manifests()).flatMap((m) => Object.keys(m.exports).map((subpath) => m.name + subpath.slice(1)));
}

/** The first ```ts block under `## heading` of a README. */
export async function readmeExample(readme: string, heading: string): Promise<string> {
  const text = await readFile(join(repoRoot, readme), 'utf8');
  const section = text.split(`\n## ${heading}\n`)[1];
  const code = section?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (code === undefined) throw new Error(`${readme} has no ts example under '## ${heading}'`);
  return code;
}

async function versionOf(manifest: string, dep: string): Promise<string> {
  const m = JSON.parse(await readFile(join(repoRoot, manifest), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const v = m.dependencies?.[dep] ?? m.devDependencies?.[dep];
  if (v === undefined) throw new Error(`${manifest} does not depend on ${dep}`);
  return v;
}

/**
 * An ESM TypeScript project depending on the tarballs (plus kafkajs, which the Kafka example
 * imports itself), strict and with `skipLibCheck: false` so the shipped typings are checked.
 */
export async function writeConsumer(dir: string, tarballs: Map<string, string>, sources: Record<string, string>): Promise<void> {
  const dependencies: Record<string, string> = { kafkajs: await versionOf('packages/kafka/package.json', 'kafkajs') };
  for (const [name, tgz] of tarballs) dependencies[name] = `file:${tgz}`;
  const devDependencies = { typescript: await versionOf('package.json', 'typescript'), '@types/node': await versionOf('package.json', '@types/node') };
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'weir-consumer', private: true, type: 'module', dependencies, devDependencies }, null, 2));
  const compilerOptions = { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], rootDir: 'src', outDir: 'out' };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  await mkdir(join(dir, 'src'));
  for (const [name, code] of Object.entries(sources)) await writeFile(join(dir, 'src', name), code);
}
