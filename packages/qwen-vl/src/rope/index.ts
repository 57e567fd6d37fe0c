export { getRopeIndex, type RopeIndex, type RopeIndexConfig, type RopeIndexInput } from './rope-index.js';
