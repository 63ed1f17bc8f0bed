#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/, which `npm ci` builds (the `prepare` script);
// `npm run build` rebuilds it after an edit of src/.
let cli;
try {
  cli = await import('../dist/cli/index.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('/dist/cli/index.js')) throw err;
  process.stderr.write('tryon is not built: dist/cli/index.js is missing. Run `npm run build` in the tryon folder.\n');
  process.exit(1);
}
await cli.main(process.argv);
