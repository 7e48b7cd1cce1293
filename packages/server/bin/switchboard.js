#!/usr/bin/env node
// A committed entry point, so npm can link the bin before the TypeScript build has run.
import '../dist/bundle/cli.mjs';
