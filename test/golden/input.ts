/**
 * The fixed, deterministic input the parity goldens were computed on (scripts/make-goldens.ts):
 * a smooth synthetic scene (a bright upright ellipse "figure" on a graded background with some
 * texture) so activations are not trivially zero. Values in [0,1]; models wanting [-1,1] get
 * the same picture rescaled.
 */
export function goldenInput(height: number, width: number, range: '0,1' | '-1,1'): Float32Array {
  const out = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / (width - 1);
      const v = y / (height - 1);
      const body = ((u - 0.5) / 0.18) ** 2 + ((v - 0.55) / 0.38) ** 2 < 1 ? 1 : 0;
      const head = ((u - 0.5) / 0.07) ** 2 + ((v - 0.13) / 0.08) ** 2 < 1 ? 1 : 0;
      const tex = 0.08 * Math.sin(x * 0.37) * Math.cos(y * 0.23);
      const figure = Math.max(body, head);
      const rgb = figure ? [0.85 + tex, 0.6 + tex, 0.45] : [0.3 + 0.4 * v, 0.35 + 0.2 * u + tex, 0.5];
      for (let c = 0; c < 3; c++) {
        const value = Math.min(1, Math.max(0, rgb[c]));
        out[(y * width + x) * 3 + c] = range === '0,1' ? value : value * 2 - 1;
      }
    }
  }
  return out;
}
