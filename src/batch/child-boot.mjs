// A batch child process's entry (processes.ts): plain JavaScript, so it runs the same under the
// CLI, tsx and vitest; it registers tsx's loader, then loads the TypeScript child.
import { register } from 'tsx/esm/api';

register();
await import('./child.ts');
