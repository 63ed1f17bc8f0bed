// A render worker thread's entry: plain JavaScript, so it runs the same under the CLI, tsx and
// vitest; it registers tsx's loader in this thread, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
