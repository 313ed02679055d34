import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Code and docs cite the project's Snap reference by heading: `docs/snap-capi.md "Event ID and deduplication"` or a
 * Markdown link to `snap-capi.md#event-id-and-deduplication`. Every such citation must name a heading that exists, and
 * nothing may point outside the repository or use the section numbers (`§2.5`) and open-point ids (`U7`) of the
 * engineers' notes the reference replaced.
 */
const ROOT = path.resolve(__dirname, '../../..');
const REFERENCE = 'docs/snap-capi.md';
/** This file quotes the patterns it looks for. */
const SELF = 'tools/system-tests/src/snap-capi-citations.spec.ts';
const SKIP = [/(^|\/)package-lock\.json$/, /\.graphql$/, /^libs\/contracts\/events\/schemas\//];

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

export function headingsOf(markdown: string): string[] {
  const out: string[] = [];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fence = !fence;
    const m = !fence && /^#{2,6}\s+(.+?)\s*$/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/** `snap-capi.md "Heading"` (also `snap-capi.md: "…"`, `snap-capi.md, "…"`, and with JSON-escaped quotes). */
const QUOTED = /snap-capi\.md[:,]?\s+\\?"([^"\\\n]+)\\?"/g;
/** A Markdown link into the reference with an anchor. */
const ANCHOR = /snap-capi\.md#([\w-]+)/g;
/** Section numbers and open-point ids of the old outside notes. */
const OLD_CITATION = /§\s?\d|\bU\d{1,2}\b/;
/** Paths out of the repository (built here so that this file does not match itself). */
const OUTSIDE = ['..' + '/shared', 'shared' + '/snap-capi'];

function trackedTextFiles(): { file: string; text: string }[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((f) => f !== '' && !SKIP.some((re) => re.test(f)))
    .filter((f) => fs.existsSync(path.join(ROOT, f)) && fs.statSync(path.join(ROOT, f)).isFile())
    .map((file) => ({ file, buf: fs.readFileSync(path.join(ROOT, file)) }))
    .filter(({ buf }) => !buf.includes(0))
    .map(({ file, buf }) => ({ file, text: buf.toString('utf8') }));
}

describe(`${REFERENCE} citations`, () => {
  const headings = headingsOf(fs.readFileSync(path.join(ROOT, REFERENCE), 'utf8'));
  const slugs = new Set(headings.map(slug));
  const files = trackedTextFiles();

  it('the reference has the sections the brief asked for', () => {
    expect(headings).toEqual(
      expect.arrayContaining([
        'Endpoints and authentication',
        'Event ID and deduplication',
        'Normalisation and hashing',
        'Limits',
        'Responses, errors and retries',
        'Test vectors',
        'Choices this project made where Snap says nothing',
      ]),
    );
  });

  it('every quoted heading and every anchor names a heading of the reference', () => {
    const broken: string[] = [];
    let cited = 0;
    for (const { file, text } of files) {
      if (file === REFERENCE || file === SELF) continue;
      text.split('\n').forEach((line, i) => {
        for (const m of line.matchAll(QUOTED)) {
          cited++;
          if (!headings.includes(m[1])) broken.push(`${file}:${i + 1} "${m[1]}"`);
        }
        for (const m of line.matchAll(ANCHOR)) {
          cited++;
          if (!slugs.has(m[1])) broken.push(`${file}:${i + 1} #${m[1]}`);
        }
      });
    }
    expect(broken).toEqual([]);
    expect(cited).toBeGreaterThan(20);
  });

  it('no file cites the old section numbers or open-point ids, or points outside the repository', () => {
    const found: string[] = [];
    for (const { file, text } of files) {
      if (file === REFERENCE || file === SELF) continue;
      text.split('\n').forEach((line, i) => {
        if (OLD_CITATION.test(line)) found.push(`${file}:${i + 1}`);
        for (const s of OUTSIDE) if (line.includes(s)) found.push(`${file}:${i + 1} (${s})`);
      });
    }
    expect(found).toEqual([]);
  });

  it('the checks can fail', () => {
    expect(slug('Responses, errors and retries')).toBe('responses-errors-and-retries');
    expect([...'see docs/snap-capi.md "No such heading"'.matchAll(QUOTED)].map((m) => m[1])).toEqual([
      'No such heading',
    ]);
    expect(headings).not.toContain('No such heading');
    expect(OLD_CITATION.test('reference §2.5')).toBe(true);
    expect(OLD_CITATION.test('(U14)')).toBe(true);
    expect(OLD_CITATION.test('U+200C and UTF-8')).toBe(false);
  });
});
