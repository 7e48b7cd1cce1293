#!/usr/bin/env -S node --max-semi-space-size=1
// A committed entry point, so npm can link the bin before the TypeScript build has run.
import '../dist/bundle/cli.mjs';
