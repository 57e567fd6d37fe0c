#!/usr/bin/env node
// Committed shim so the bin exists at install time, before dist/ is built (workspace installs link bins first).
import '../dist/cli.js';
