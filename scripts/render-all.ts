/**
 * Renders every person photo in ../shared/fixtures/persons in every catalog garment (28 x 42
 * pairs with the shared fixtures) and reports any pair that throws, with the quality numbers
 * of the rest. A robustness run, not a test: it takes minutes.
 *
 *   npx tsx scripts/render-all.ts [--out /tmp/tryon-all] [--save]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Tryon } from '../src/pipeline.ts';
import { encodeImage } from '../src/image/encode.ts';
import { catalog, garmentPath, personPhotos } from '../test/fixtures.ts';
import { renderQuality } from '../test/helpers/metrics.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: '/tmp/tryon-all' }, save: { type: 'boolean', default: false } } });
const out = values.out!;
await mkdir(out, { recursive: true });
const tryon = await Tryon.create({ concurrency: 1 });
const failures: { person: string; garment: string; error: string }[] = [];
let ok = 0;
let worstSsim = 1;
let worstDe = 0;
const times: number[] = [];
const garments = [];
for (const e of catalog()) {
  try {
    garments.push({ id: e.id, g: await tryon.analyseGarment(garmentPath(e), { type: e.type, category: e.category, name: e.id }) });
  } catch (err) {
    failures.push({ person: '-', garment: e.id, error: `analyseGarment: ${(err as Error).message}` });
  }
}
for (const file of personPhotos()) {
  const name = path.basename(file);
  let person;
  try {
    person = await tryon.analysePerson(file);
  } catch (err) {
    failures.push({ person: name, garment: '-', error: `analysePerson: ${(err as Error).message}` });
    continue;
  }
  for (const { id, g } of garments) {
    try {
      const t = performance.now();
      const r = await tryon.tryOn(person, g);
      times.push(performance.now() - t);
      const q = renderQuality(person.image, r);
      worstSsim = Math.min(worstSsim, q.ssimOutside);
      if (q.deltaE !== null) worstDe = Math.max(worstDe, q.deltaE);
      if (values.save) await writeFile(path.join(out, `${name.replace(/\.\w+$/, '')}__${id}.jpg`), await encodeImage(r.image, 'jpeg', 85));
      ok++;
    } catch (err) {
      failures.push({ person: name, garment: id, error: (err as Error).stack ?? String(err) });
    }
  }
  process.stdout.write(`${name}: ${ok} ok, ${failures.length} failed so far\n`);
}
await tryon.close();
times.sort((a, b) => a - b);
const summary = {
  pairs: ok + failures.filter((f) => f.person !== '-' && f.garment !== '-').length,
  ok,
  failures,
  worstSsimOutside: worstSsim,
  worstDeltaE: worstDe,
  renderMs: { median: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)] },
};
await writeFile(path.join(out, 'summary.json'), JSON.stringify(summary, null, 1));
process.stdout.write(`${JSON.stringify({ ...summary, failures: summary.failures.length })}\n`);
if (failures.length) for (const f of failures.slice(0, 10)) process.stdout.write(`FAIL ${f.person} x ${f.garment}: ${f.error.split('\n').slice(0, 3).join(' | ')}\n`);
