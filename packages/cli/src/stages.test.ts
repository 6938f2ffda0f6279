import { STAGE_IDS } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { STAGE_ALIASES, STAGE_FLAGS, STAGES } from './stages.js';

describe('the stage registry', () => {
  it.each(Object.entries(STAGES))('%s loads the stage it names, with the same title', async (id, entry) => {
    const stage = await entry!.load();
    expect(stage.meta.id).toBe(id);
    expect(stage.meta.title).toBe(entry!.title);
  });

  it('ships every stage id, and aliases and flags only for known stages', () => {
    expect(Object.keys(STAGES).sort()).toEqual([...STAGE_IDS].sort());
    for (const target of Object.values(STAGE_ALIASES)) expect(STAGE_IDS).toContain(target);
    for (const id of Object.keys(STAGE_FLAGS)) expect(STAGE_IDS).toContain(id);
  });

  it('maps every stage flag onto an option the stage accepts', async () => {
    for (const [id, flags] of Object.entries(STAGE_FLAGS)) {
      const stage = await STAGES[id as keyof typeof STAGES]!.load();
      const shape = (stage.options as unknown as { shape?: Record<string, unknown> }).shape;
      expect(shape, `${id} options are a zod object`).toBeDefined();
      for (const f of flags!) expect(Object.keys(shape!), `${id} --${f.option}`).toContain(f.option);
    }
  });
});
