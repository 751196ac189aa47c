import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';

// every ```ts block of the README's CDC and dimension sections is a complete program that asserts its own output
const SECTIONS = ['CDC upsert tables', 'Dimension snapshot tables'];
const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const scratch = fileURLToPath(new URL('../.weir-readme/', import.meta.url));
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => ({ code: m[1]!, section: [...readme.slice(0, m.index).matchAll(/^## (.+)$/gm)].pop()?.[1] ?? 'top' }))
  .filter((b) => SECTIONS.includes(b.section));

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('README snippets (CDC upsert, dimension snapshots)', () => {
  it('finds a snippet in each section', () => {
    if (SECTIONS.some((s) => !blocks.some((b) => b.section === s))) throw new Error('a section lost its snippet');
  });
  blocks.forEach(({ code, section }, i) => {
    it(`snippet ${i + 1} (${section}) runs and its assertions hold`, async () => {
      await mkdir(scratch, { recursive: true });
      const file = `${scratch}snippet-${i + 1}.ts`;
      await writeFile(file, code);
      await import(/* @vite-ignore */ file);
    });
  });
});
