import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// src/common and dist/common sit at the same depth, so this holds for sources and builds alike.
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const VIEWS_DIR = resolve(PROJECT_ROOT, 'views');
