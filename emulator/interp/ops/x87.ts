/** x87 floating point (escape opcodes D8-DF). */

import type { Handler } from '../insn.js';
import { Trap } from '../memory.js';

export const opX87: Handler = () => { throw new Trap({ kind: 'ud' }); };
