// The one place that imports node-liblzma, so the bundler can swap its loader.
export { createXz, createUnxz, check, xzAsync, unxzAsync, isXZ } from 'node-liblzma';
