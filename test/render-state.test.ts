/**
 * What a renderer keeps between pairs (src/render/state.ts): a person's derived planes are made
 * once and reused, the same pictures come out warm or cold, the bounds hold (least recently used
 * dropped first), and `forget` drops what was derived from an analysis.
 */
import { describe, expect, it } from 'vitest';
import { JsEngine } from '../src/engines/js/engine.ts';
import { RenderState } from '../src/render/state.ts';
import { garmentTexture } from '../src/render/texture.ts';
import { fitGarment, Renderer, tryOn } from '../src/render/tryon.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('Renderer state', () => {
  it('keeps a person\'s planes and a garment\'s textures for later pairs, with the same pictures as a cold render', async () => {
    const person = stickPerson({ width: 240, height: 320 });
    const tee = flatGarment({ stripes: true });
    const dress = flatGarment({ category: 'dress', color: [120, 30, 60] });
    const renderer = new Renderer(new JsEngine());
    const first = await renderer.render(person, tee, { layers: false });
    const state = renderer.state.person(person);
    const upperBytes = state.heldBytes();
    expect(upperBytes).toBeGreaterThan(0);
    expect(renderer.state.textures.textures.size).toBe(1);

    // Warm: the same state, grown by the dress's bare body and roles; pictures as a fresh renderer's.
    const second = await renderer.render(person, dress, { layers: false });
    expect(renderer.state.person(person)).toBe(state);
    expect(state.heldBytes()).toBeGreaterThan(upperBytes);
    const again = await renderer.render(person, tee, { layers: false });
    expect(same(again.image.data, first.image.data)).toBe(true);
    expect(same(second.image.data, (await tryOn(person, dress, { layers: false }, new JsEngine())).image.data)).toBe(true);
    expect(renderer.state.textures.textures.size).toBe(2);

    // forget drops the person's state and the garment's textures.
    renderer.forget(person);
    renderer.forget(tee);
    expect(renderer.state.personCount).toBe(0);
    expect(renderer.state.textures.textures.size).toBe(1);
    expect(renderer.state.person(person)).not.toBe(state);
    expect(renderer.state.person(person).heldBytes()).toBe(0);
  });

  it('holds at most its limit of persons and of textures, least recently used dropped first', async () => {
    const state = new RenderState({ persons: 2, textures: 2, textureBases: 1 });
    const [a, b, c] = [200, 220, 240].map((width) => stickPerson({ width, height: 300 }));
    const sa = state.person(a);
    state.person(b);
    expect(state.person(a)).toBe(sa); // a is now the most recent
    state.person(c); // drops b
    expect(state.personCount).toBe(2);
    expect(state.person(a)).toBe(sa);
    expect([...state.personStates()].map((s) => s.person)).toEqual([c, a]);

    const garments = [flatGarment(), flatGarment({ color: [10, 200, 10] }), flatGarment({ sleeve: 'long' })];
    for (const g of garments) await garmentTexture(g, fitGarment(state.person(a), g).plan, state.textures);
    expect(state.textures.textures.size).toBe(2);
    expect(state.textures.bases.size).toBe(1);
    state.forget(garments[2]);
    expect(state.textures.textures.size).toBe(1);
    expect(state.textures.bases.size).toBe(0);
  });
});
