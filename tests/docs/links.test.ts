/**
 * The README stays a front door, and the documentation holds together: every relative link in the
 * README, SECURITY.md and docs/ names a file that exists and, for a `#fragment` into Markdown, a
 * heading that file has (GitHub's anchor rules, through github-slugger).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = join(ROOT, 'docs');
const documents = [join(ROOT, 'README.md'), join(ROOT, 'SECURITY.md'), ...readdirSync(DOCS).filter((name) => name.endsWith('.md')).map((name) => join(DOCS, name))];

/** Markdown without its fenced code blocks, where link-like text is not a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

function anchorsOf(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const headings = prose(readFileSync(file, 'utf8')).match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((heading) => slugger.slug(heading.replace(/^#+ /, ''))));
}

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue; // http:, https:, mailto:
    const [path, fragment] = target!.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    const where = `${relative(ROOT, file)} → ${target}`;
    if (!existsSync(resolved)) broken.push(`${where}: no such file`);
    else if (fragment && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment)) broken.push(`${where}: no such heading`);
  }
  return broken;
}

describe('the documentation', () => {
  it('keeps the README a front door of at most 400 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(400);
  });

  it('has no relative link to a missing file or heading', () => {
    expect(documents.length).toBeGreaterThan(10);
    expect(documents.flatMap(brokenLinks)).toEqual([]);
  });

  it('links every guide in docs/ from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const unlinked = readdirSync(DOCS).filter((name) => name.endsWith('.md') && !readme.includes(`](docs/${name}`));
    expect(unlinked).toEqual([]);
  });
});
