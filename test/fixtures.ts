/**
 * Access to the shared test photographs in ../shared/fixtures (beside the project root).
 * They are never copied into the project; tests that need them skip with a message when
 * the folder is absent.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_FIXTURES = process.env.TRYON_SHARED_FIXTURES ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'fixtures');
export const HAVE_SHARED = existsSync(path.join(SHARED_FIXTURES, 'persons'));

if (!HAVE_SHARED) {
  console.warn(`[tryon tests] ${SHARED_FIXTURES} is absent: tests that need the shared photographs are skipped.`);
}

export function personPhotos(): string[] {
  if (!HAVE_SHARED) return [];
  const dir = path.join(SHARED_FIXTURES, 'persons');
  return readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(dir, f));
}

export interface CatalogEntry {
  id: string;
  image: string;
  type: string;
  category: 'upper' | 'lower' | 'dress';
  description?: string;
}

export function catalog(): CatalogEntry[] {
  if (!HAVE_SHARED) return [];
  const raw = JSON.parse(readFileSync(path.join(SHARED_FIXTURES, 'catalog.json'), 'utf8'));
  return (Array.isArray(raw) ? raw : raw.garments) as CatalogEntry[];
}

export function garmentPath(entry: CatalogEntry): string {
  return path.join(SHARED_FIXTURES, entry.image);
}
