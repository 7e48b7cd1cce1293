import { describe, expect, it } from 'vitest';
import { maxSemiSpaceMiB, postgresYoungGenerationWarning } from '../../packages/server/src/young-generation.js';

describe('the young generation warning for PostgreSQL', () => {
  it('reads the semi-space size Node applies: the last flag given, in either spelling', () => {
    expect(maxSemiSpaceMiB([])).toBeUndefined();
    expect(maxSemiSpaceMiB(['--max-semi-space-size=1'])).toBe(1);
    expect(maxSemiSpaceMiB(['--max-semi-space-size=1', '--enable-source-maps', '--max_semi_space_size=16'])).toBe(16);
    expect(maxSemiSpaceMiB(['--max-old-space-size=512'])).toBeUndefined();
  });

  it('warns with what to run instead when the semi-spaces are small, and says nothing otherwise', () => {
    const warning = postgresYoungGenerationWarning(['--max-semi-space-size=1']);
    expect(warning).toContain('--max-semi-space-size=1');
    expect(warning).toContain('node --max-semi-space-size=16');
    expect(warning).toContain("docs/operations.md, \"Node's young generation\"");
    expect(postgresYoungGenerationWarning(['--max-semi-space-size=16'])).toBeUndefined();
    expect(postgresYoungGenerationWarning([])).toBeUndefined();
  });
});
