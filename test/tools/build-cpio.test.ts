// The whole pipeline against the kernel's own tools for the cpio variant
// (6.1/6.12-stable): its oracle copies the tree with find | cpio -pd/-pdu.
import { describeBuildEqualsKernel } from '../helpers/build-oracle.js';

describeBuildEqualsKernel(['cpio']);
