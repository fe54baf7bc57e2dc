// The codec table as the image readers use it (payloads inside bzImage, zboot
// and boot images, Image.*), under the pipeline's size cap.
import { decompress, detectCompression } from '../sources/codecs/table.js';
import type { Codecs } from '../sources/images/kernel-image.js';

export function tableCodecs(maxBytes: number): Codecs {
  return { detect: detectCompression, decode: (input, codec, what) => decompress(input, codec, what, { maxBytes }) };
}
