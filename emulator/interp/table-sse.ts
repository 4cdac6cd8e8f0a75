/** SSE/SSE2 entries of the 0F, 0F 38 and 0F 3A maps. */

import type { Entry } from './opcodes.js';

export const SSE_0F: [number, Entry][] = [];
export const SSE_0F38: [number, Entry][] = [];
export const SSE_0F3A: [number, Entry][] = [];
