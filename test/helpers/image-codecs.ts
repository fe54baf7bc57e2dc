// The image readers' codecs, as the extract pipeline passes them.
import { imageCodecs as codecs } from '../../src/core/sources/images/codecs.js';
import type { Codecs } from '../../src/core/sources/images/kernel-image.js';

export const imageCodecs = (maxBytes = 1 << 30): Codecs => codecs(maxBytes);
