/**
 * The quality set: every shared person photo x a fixed garment list chosen to cover the hard
 * transitions (the person's own clothes -> the new garment):
 *
 * | garment                            | what it tests                                           |
 * | ---------------------------------- | ------------------------------------------------------- |
 * | 00055_00 lavender tee               | long sleeve -> short sleeve (01008, 01861), tee -> tee  |
 * | 050181_1 navy tee                   | a dark plain tee: shading and folds must show           |
 * | 00151_00 striped long-sleeve top    | sleeveless -> long sleeve, stripes along a bent arm     |
 * | 049947_1 pink V-neck bell-sleeve    | high neck -> V-neck, wide sleeves                       |
 * | 02015_00 yellow cami crop top       | tee -> straps, long top -> crop top (midriff)           |
 * | 04825_00 sleeveless halter top      | tee -> sleeveless, bare shoulders                       |
 * | 048769_1 zebra cami, lace trim      | thin straps, dark on light                              |
 * | 051412_1 patterned wide trousers    | skirt or dress -> trousers                              |
 * | 051946_1 pink jeans                 | slim legs, wide trousers -> slim                        |
 * | 053742_1 sleeveless shift dress     | top + trousers -> dress (legs uncovered below the hem)  |
 * | 052234_1 blue floral midi dress     | puff sleeves on a dress                                 |
 * | template tshirt #2a6fb0             | the README's first command                              |
 * | template tank #3a7d44               | built-in upper, sleeveless                              |
 * | template skirt #1f2a44              | trousers -> skirt (legs synthesised)                    |
 * | template dress #8e3b5f              | built-in dress                                          |
 */
import type { GarmentCategory, GarmentType } from '../../src/types.ts';

export type QualityGarment =
  | { kind: 'catalog'; id: string; note: string }
  | { kind: 'template'; type: GarmentType; color: string; note: string };

export const QUALITY_GARMENTS: readonly QualityGarment[] = [
  { kind: 'catalog', id: '00055_00', note: 'long sleeve -> tee' },
  { kind: 'catalog', id: '050181_1', note: 'dark plain tee' },
  { kind: 'catalog', id: '00151_00', note: 'long sleeve, stripes' },
  { kind: 'catalog', id: '049947_1', note: 'V-neck, bell sleeves' },
  { kind: 'catalog', id: '02015_00', note: 'cami crop top' },
  { kind: 'catalog', id: '04825_00', note: 'sleeveless halter' },
  { kind: 'catalog', id: '048769_1', note: 'thin straps' },
  { kind: 'catalog', id: '051412_1', note: 'wide trousers' },
  { kind: 'catalog', id: '051946_1', note: 'slim jeans' },
  { kind: 'catalog', id: '053742_1', note: 'sleeveless dress' },
  { kind: 'catalog', id: '052234_1', note: 'midi dress, puff sleeves' },
  { kind: 'template', type: 'tshirt', color: '#2a6fb0', note: 'built-in tee' },
  { kind: 'template', type: 'tank', color: '#3a7d44', note: 'built-in tank' },
  { kind: 'template', type: 'skirt', color: '#1f2a44', note: 'built-in skirt' },
  { kind: 'template', type: 'dress', color: '#8e3b5f', note: 'built-in dress' },
];

/** A garment's name in reports: its catalog id, or `template:<type>`. */
export function garmentName(g: QualityGarment): string {
  return g.kind === 'catalog' ? g.id : `template:${g.type}`;
}

/** One measured pair as it goes to quality.json and the baseline. */
export interface PairRecord {
  person: string;
  garment: string;
  category: GarmentCategory;
  /** The garment's sleeve length as the analysis read it. */
  sleeve: 'none' | 'short' | 'long';
  metrics: import('./metrics.ts').PairMetrics;
  /** Render time (ms, wall) and measuring time. */
  renderMs: number;
  error?: string;
}
