import { describe, expect, it } from 'vitest';
import { createJudge, judgeKind, judgeSpec } from '../../../src/adapters/judges/index.js';

describe('createJudge(spec)', () => {
  it('has one registry entry per spec kind, and the kind enum follows the registry', () => {
    expect(judgeKind.options).toEqual(['rerank', 'llm']);
    expect(judgeSpec.options.map((o) => o.shape.kind.value)).toEqual(judgeKind.options);
  });

  it('creates each kind from a plain object, and refuses an unknown kind', async () => {
    for (const kind of judgeKind.options) {
      const j = await createJudge({ kind, baseUrl: 'http://127.0.0.1:1', model: 'm' });
      expect(j.id).toMatch(new RegExp(`^${kind}:m@127.0.0.1:1`));
      await j.close();
    }
    await expect(createJudge({ kind: 'oracle', baseUrl: 'http://127.0.0.1:1', model: 'm' } as never)).rejects.toThrow(/invalid judge options/);
  });
});
