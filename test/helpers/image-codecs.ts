// The image readers' codecs, as the extract pipeline passes them: the codec table under a cap.
import { tableCodecs } from '../../src/core/extract/image-codecs.js';
import type { Codecs } from '../../src/core/sources/images/kernel-image.js';

export const imageCodecs = (maxBytes = 1 << 30): Codecs => tableCodecs(maxBytes);
