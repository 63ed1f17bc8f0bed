/**
 * What rendering derives from the analyses and keeps between pairs, in objects you can see.
 * One RenderState per thread that renders: the Tryon instance's own (pairs rendered on its
 * thread) and one in each render worker (src/threads/worker.ts), each told by `forget` when the
 * pipeline is done with an analysis. Nothing here lives in a module: two renderers never share.
 *
 * Bounds (RENDER_LIMITS): at most 16 persons, least recently used dropped first; each holds
 * its analysis (about 5 MB for a 768x1024 photo, shared with the caller) and, per garment
 * category used (3 at most), its bare body and role planes over the person's box (8 bytes a
 * pixel: about 3 MB for a 768x1024 full-length photo). Textures: 3 at most (up to 22 MB each
 * for a 768x1024 garment photo at full scale) and 2 texture bases, over all garments.
 */
import { Body } from '../fit/body.ts';
import { bareBody, type BareBody } from '../bare/index.ts';
import type { BareDiskCache } from '../bare/cache.ts';
import type { GarmentAnalysis, GarmentCategory, PersonAnalysis } from '../types.ts';
import { roleBytes, rolePlanes, type RolePlanes } from './roles.ts';
import { TextureCache } from './texture.ts';
import { foldLight, type FoldLight } from './fold-light.ts';

export const RENDER_LIMITS = { persons: 16, textures: 3, textureBases: 2 };

/**
 * What the render derives from one person analysis, whatever the garment: the body's
 * measurements at once, and per garment category on first use the bare body (the photo with
 * that category's old garment taken off: computed here, in the thread that renders, or read
 * from the disk cache) and its role planes.
 */
export class PersonState {
  readonly person: PersonAnalysis;
  /** Body measurements from the keypoints and the parsing (src/fit/body.ts). */
  readonly body: Body;
  private readonly bares = new Map<GarmentCategory, Promise<BareBody>>();
  private readonly roleMap = new Map<GarmentCategory, RolePlanes>();
  private readonly foldMap = new Map<GarmentCategory, FoldLight>();
  private held = 0;

  constructor(person: PersonAnalysis, private readonly store: BareDiskCache | null = null) {
    this.person = person;
    this.body = new Body(person);
  }

  /** The bare body of a category: kept, read from the disk cache, or computed (and stored). */
  bare(category: GarmentCategory): Promise<BareBody> {
    let b = this.bares.get(category);
    if (!b) {
      b = this.loadOrMake(category);
      this.bares.set(category, b);
      b.catch(() => this.bares.delete(category));
    }
    return b;
  }

  private async loadOrMake(category: GarmentCategory): Promise<BareBody> {
    const cached = this.store ? await this.store.get(this.person.key, category) : null;
    const bare = cached ?? bareBody(this.person, category);
    if (!cached && this.store) await this.store.set(this.person.key, bare).catch(() => undefined);
    this.held += bare.image.length + bare.skin.length + bare.backdrop.length + bare.old.length + bare.arms.length;
    return bare;
  }

  /** The role planes of a category (roles.ts), over its bare body's box. */
  async roles(category: GarmentCategory): Promise<RolePlanes> {
    let r = this.roleMap.get(category);
    if (!r) {
      r = rolePlanes(this.person, this.body, await this.bare(category), category);
      this.roleMap.set(category, r);
      this.held += roleBytes(r);
    }
    return r;
  }

  /** The old garment's light with its print taken out (fold-light.ts), over the bare body's box. */
  async foldLight(category: GarmentCategory): Promise<FoldLight> {
    let f = this.foldMap.get(category);
    if (!f) {
      f = foldLight(this.person, await this.bare(category), this.body.shoulderWidth);
      this.foldMap.set(category, f);
      this.held += f.lum.length;
    }
    return f;
  }

  /** Bytes of the bare bodies, role planes and fold lights held. */
  heldBytes(): number {
    return this.held;
  }
}

/** One renderer's state: persons (bounded, least recently used dropped first), textures, the masks' buffer. */
export class RenderState {
  readonly textures: TextureCache;
  private masks = new Uint8Array(0);
  private readonly persons = new Map<PersonAnalysis, PersonState>();
  private readonly maxPersons: number;

  constructor(
    limits: Partial<typeof RENDER_LIMITS> = {},
    private readonly store: BareDiskCache | null = null,
  ) {
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
      s = new PersonState(person, this.store);
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

  /** A buffer of at least n bytes for a pair's masks, reused from pair to pair (one pair at a time per renderer). */
  maskBuffer(n: number): Uint8Array {
    if (this.masks.length < n) this.masks = new Uint8Array(Math.ceil(1.25 * n));
    return this.masks;
  }

  /** The persons held (for tests and memory reports). */
  get personCount(): number {
    return this.persons.size;
  }

  personStates(): IterableIterator<PersonState> {
    return this.persons.values();
  }
}
