/**
 * What rendering derives from the analyses and keeps between pairs, in objects you can see.
 * One RenderState per thread that renders: the Tryon instance's own (pairs rendered on its
 * thread) and one in each render worker (src/threads/worker.ts), each told by `forget` when the
 * pipeline is done with an analysis. Nothing here lives in a module: two renderers never share.
 *
 * Bounds (RENDER_LIMITS): at most 48 persons, least recently used dropped first; each holds
 * its analysis (about 5 MB for a 768x1024 photo, shared with the caller) and what the masks
 * derive from it (about 1.8 MB per garment category used, in bands of rows built on demand;
 * 3 categories at most). Textures: 3 at most (up to 22 MB each for a 768x1024 garment photo at
 * full scale) and 2 texture bases, over all garments.
 */
import { Body } from '../fit/body.ts';
import type { Box, GarmentAnalysis, GarmentCategory, PersonAnalysis, RGB } from '../types.ts';
import { fillSkinColour, hasSkinModel, personFacts, type PersonFacts } from './facts.ts';
import { MaskScratch, oldGarmentBox, personPlanes, planesBytes, type PersonPlanes, type PlanesSource } from './masks.ts';
import { TextureCache } from './texture.ts';

export const RENDER_LIMITS = { persons: 48, textures: 3, textureBases: 2 };

/**
 * What the render derives from one person analysis, whatever the garment: each part computed
 * on first use (by the module named) and kept for the person's later pairs. (The bare body, the
 * photo with the old garment removed, will be kept here too.)
 */
export class PersonState implements PlanesSource {
  readonly person: PersonAnalysis;
  /** Body measurements from the keypoints and the parsing (src/fit/body.ts). */
  readonly body: Body;
  private skin?: boolean;
  private fill?: RGB;
  private known?: PersonFacts;
  private rolePlanes?: PersonPlanes;
  private readonly oldBoxes = new Map<GarmentCategory, Box>();

  constructor(person: PersonAnalysis) {
    this.person = person;
    this.body = new Body(person);
  }

  /** Whether the analysis has a skin model (facts.ts hasSkinModel). */
  get skinModel(): boolean {
    return (this.skin ??= hasSkinModel(this.person));
  }

  /** The colour to paint uncovered skin with (facts.ts fillSkinColour). */
  get fillColour(): RGB {
    return (this.fill ??= fillSkinColour(this.person, this.skinModel));
  }

  /** Colours, sleeves and arm outlines (facts.ts personFacts). */
  get facts(): PersonFacts {
    return (this.known ??= personFacts(this.person, this.body, this.skinModel));
  }

  /** The pixel roles per category and the form shade, in bands of rows built as crops need them (masks.ts). */
  get planes(): PersonPlanes {
    return (this.rolePlanes ??= personPlanes(this.person, this.body));
  }

  /** The box of the old garment of a category (masks.ts oldGarmentBox); a copy. */
  oldBox(category: GarmentCategory): Box {
    let box = this.oldBoxes.get(category);
    if (!box) {
      box = oldGarmentBox(this.person, category);
      this.oldBoxes.set(category, box);
    }
    return { ...box };
  }

  /** Bytes of the role and shade planes built so far. */
  planesBytes(): number {
    return this.rolePlanes ? planesBytes(this.rolePlanes) : 0;
  }
}

/** One renderer's state: persons (bounded, least recently used dropped first), textures, scratch. */
export class RenderState {
  readonly textures: TextureCache;
  readonly scratch = new MaskScratch();
  private readonly persons = new Map<PersonAnalysis, PersonState>();
  private readonly maxPersons: number;

  constructor(limits: Partial<typeof RENDER_LIMITS> = {}) {
    const l = { ...RENDER_LIMITS, ...limits };
    this.maxPersons = l.persons;
    this.textures = new TextureCache(l.textures, l.textureBases);
  }

  /** The state of a person analysis (made on first use, kept until dropped or forgotten). */
  person(person: PersonAnalysis): PersonState {
    let s = this.persons.get(person);
    if (s) {
      this.persons.delete(person);
    } else {
      s = new PersonState(person);
      while (this.persons.size >= this.maxPersons) this.persons.delete(this.persons.keys().next().value as PersonAnalysis);
    }
    this.persons.set(person, s);
    return s;
  }

  /** Drops what was derived from an analysis (a person's state, a garment's textures). */
  forget(analysis: PersonAnalysis | GarmentAnalysis | object): void {
    this.persons.delete(analysis as PersonAnalysis);
    this.textures.forget(analysis as GarmentAnalysis);
  }

  /** The persons held (for tests and memory reports). */
  get personCount(): number {
    return this.persons.size;
  }

  personStates(): IterableIterator<PersonState> {
    return this.persons.values();
  }
}
