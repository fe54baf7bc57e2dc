// The one place that imports node-liblzma, so the bundler can swap its loader.
export {
  createXz, createUnxz, check, parseFileIndex,
  LZMA_BUF_ERROR, LZMA_DATA_ERROR, LZMA_FORMAT_ERROR, LZMA_MEMLIMIT_ERROR, LZMA_OPTIONS_ERROR,
  type Unxz,
} from 'node-liblzma';
