#!/usr/bin/env node
// Installed entry point: runs the CLI compiled from bin/filiera.ts, compiling it first if a source changed
// (bin/compiled.mjs says why there is no TypeScript loader at run time).
import { runCompiled } from './compiled.mjs';

await runCompiled('filiera');
