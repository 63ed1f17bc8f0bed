/**
 * SSD anchors of MediaPipe's pose detector (pose_detection.tflite / Human's blazepose-detector):
 * 224x224 input, 5 layers with strides 8, 16, 32, 32, 32, two anchors per cell per layer
 * (aspect 1 plus the interpolated scale), fixed anchor size. Layers sharing a stride share a grid,
 * so the 32-stride cells hold 6 anchors: 28*28*2 + 14*14*2 + 7*7*6 = 2254.
 * Each anchor is just a centre (x, y) in [0, 1]; with fixed anchor size w = h = 1.
 */
export const DETECTOR_SIZE = 224;
const STRIDES = [8, 16, 32, 32, 32];
export const ANCHOR_COUNT = 2254;

function makeAnchors(): Float32Array {
  const out: number[] = [];
  let layer = 0;
  while (layer < STRIDES.length) {
    let last = layer;
    while (last < STRIDES.length && STRIDES[last] === STRIDES[layer]) last++;
    const perCell = 2 * (last - layer);
    const cells = Math.ceil(DETECTOR_SIZE / STRIDES[layer]);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) out.push((x + 0.5) / cells, (y + 0.5) / cells);
      }
    }
    layer = last;
  }
  if (out.length !== ANCHOR_COUNT * 2) throw new Error(`anchor count ${out.length / 2}, expected ${ANCHOR_COUNT}`);
  return Float32Array.from(out);
}

/** [x0, y0, x1, y1, ...] anchor centres, normalised. */
export const ANCHORS = makeAnchors();
