/**
 * The widget's Markdown subset, parsed in Node (the tree renderMarkdown turns into DOM nodes;
 * the DOM itself is checked in Chromium by widget.browser.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, safeHref } from '../../packages/widget/src/widget/markdown.js';

const p = (...c: unknown[]) => ({ t: 'p', c });
const link = (href: string, ...c: unknown[]) => ({ t: 'a', href, c });

describe('inline Markdown', () => {
  it('bold, italic, inline code, and both delimiters', () => {
    expect(parseInline('**Bold** and *it* and `x < y`')).toEqual([
      { t: 'strong', c: ['Bold'] },
      ' and ',
      { t: 'em', c: ['it'] },
      ' and ',
      { t: 'code', v: 'x < y' },
    ]);
    expect(parseInline('__b__ _i_')).toEqual([{ t: 'strong', c: ['b'] }, ' ', { t: 'em', c: ['i'] }]);
    expect(parseInline('**bold *and italic***')).toEqual([{ t: 'strong', c: ['bold ', { t: 'em', c: ['and italic'] }] }]);
    expect(parseInline('*italic **with bold** inside*')).toEqual([{ t: 'em', c: ['italic ', { t: 'strong', c: ['with bold'] }, ' inside'] }]);
  });

  it('leaves what is not emphasis alone: snake_case, lone stars, spaced delimiters, escapes', () => {
    expect(parseInline('call snake_case_name now')).toEqual(['call snake_case_name now']);
    expect(parseInline('2 * 3 * 4')).toEqual(['2 * 3 * 4']);
    expect(parseInline('** not bold **')).toEqual(['** not bold **']);
    expect(parseInline('\\*literal\\* and \\`tick\\`')).toEqual(['*literal* and `tick`']);
    expect(parseInline('`code with **stars**`')).toEqual([{ t: 'code', v: 'code with **stars**' }]);
    expect(parseInline('unclosed `tick and **star')).toEqual(['unclosed `tick and **star']);
  });

  it('line breaks inside a paragraph', () => {
    expect(parseInline('one\ntwo')).toEqual(['one', { t: 'br' }, 'two']);
  });

  it('links: http(s) and mailto only; any other scheme or a relative path stays as written', () => {
    expect(parseInline('see [the docs](https://example.com/docs?a=1&b=2) now')).toEqual([
      'see ',
      link('https://example.com/docs?a=1&b=2', 'the docs'),
      ' now',
    ]);
    expect(parseInline('[**mail** us](mailto:help@example.com)')).toEqual([link('mailto:help@example.com', { t: 'strong', c: ['mail'] }, ' us')]);
    expect(parseInline('[wiki](https://en.wikipedia.org/wiki/Foo_(bar))')).toEqual([link('https://en.wikipedia.org/wiki/Foo_(bar)', 'wiki')]);
    expect(parseInline('[x](javascript:alert(1))')).toEqual(['[x](javascript:alert(1))']);
    expect(parseInline('[x]( JavaScript:alert(1) )')).toEqual(['[x]( JavaScript:alert(1) )']);
    expect(parseInline('[img](data:text/html;base64,PHNjcmlwdD4=)')).toEqual(['[img](data:text/html;base64,PHNjcmlwdD4=)']);
    expect(parseInline('[rel](/account)')).toEqual(['[rel](/account)']);
    expect(parseInline('<javascript:alert(1)>')).toEqual(['<javascript:alert(1)>']);
    expect(parseInline('<https://example.com/a>')).toEqual([link('https://example.com/a', 'https://example.com/a')]);
  });

  it('bare URLs become links, without the punctuation that follows them', () => {
    expect(parseInline('Go to https://example.com/path?q=1. Then (see http://example.org/x) ok')).toEqual([
      'Go to ',
      link('https://example.com/path?q=1', 'https://example.com/path?q=1'),
      '. Then (see ',
      link('http://example.org/x', 'http://example.org/x'),
      ') ok',
    ]);
    expect(parseInline('https://en.wikipedia.org/wiki/Foo_(bar), next')).toEqual([
      link('https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)'),
      ', next',
    ]);
    expect(parseInline('xhttps://example.com')).toEqual(['xhttps://example.com']);
    // A link's text is not linked again.
    expect(parseInline('[https://a.example](https://b.example/)')).toEqual([link('https://b.example/', 'https://a.example')]);
  });

  it('keeps HTML as text', () => {
    expect(parseInline('<img src=x onerror=alert(1)><b>b</b>')).toEqual(['<img src=x onerror=alert(1)><b>b</b>']);
  });
});

describe('block Markdown', () => {
  it('paragraphs split by blank lines, headings as bold lines', () => {
    expect(parseMarkdown('# Heading\nfirst line\nsecond line\n\n  next para')).toEqual([
      { t: 'h', c: ['Heading'] },
      p('first line', { t: 'br' }, 'second line'),
      p('next para'),
    ]);
    expect(parseMarkdown('#hashtag')).toEqual([p('#hashtag')]);
  });

  it('fenced code blocks keep their text verbatim, unclosed ones run to the end', () => {
    expect(parseMarkdown('Run:\n```sh\nnpm i **x**\n  [a](javascript:b)\n```\nDone')).toEqual([
      p('Run:'),
      { t: 'pre', v: 'npm i **x**\n  [a](javascript:b)' },
      p('Done'),
    ]);
    expect(parseMarkdown('~~~\nopen')).toEqual([{ t: 'pre', v: 'open' }]);
  });

  it('bulleted and numbered lists, nested by indentation, with continuation lines', () => {
    expect(parseMarkdown('Steps:\n1. Open **Settings**\n2. Pick a plan\n   - Basic\n   - Pro\n3. Pay\nlazy line')).toEqual([
      p('Steps:'),
      {
        t: 'ol',
        start: 1,
        items: [
          [p('Open ', { t: 'strong', c: ['Settings'] })],
          [p('Pick a plan'), { t: 'ul', start: 1, items: [[p('Basic')], [p('Pro')]] }],
          [p('Pay', { t: 'br' }, 'lazy line')],
        ],
      },
    ]);
    expect(parseMarkdown('- a\n* b\n\n- c\n\nafter')).toEqual([
      { t: 'ul', start: 1, items: [[p('a')], [p('b')], [p('c')]] },
      p('after'),
    ]);
    expect(parseMarkdown('3) three\n4) four')).toEqual([{ t: 'ol', start: 3, items: [[p('three')], [p('four')]] }]);
    // A numbered list right after a bulleted one is a new list.
    expect(parseMarkdown('- a\n1. b')).toEqual([
      { t: 'ul', start: 1, items: [[p('a')]] },
      { t: 'ol', start: 1, items: [[p('b')]] },
    ]);
  });

  it('Windows line endings and empty input', () => {
    expect(parseMarkdown('a\r\nb\r\n\r\nc')).toEqual([p('a', { t: 'br' }, 'b'), p('c')]);
    expect(parseMarkdown('')).toEqual([]);
  });
});

describe('safeHref', () => {
  it('accepts absolute http, https and mailto addresses only', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('HTTP://EXAMPLE.com/A')).toBe('http://example.com/A');
    expect(safeHref('mailto:a@example.com')).toBe('mailto:a@example.com');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '/relative', '//example.com/x', '']) {
      expect(safeHref(bad), bad).toBeNull();
    }
  });
});
