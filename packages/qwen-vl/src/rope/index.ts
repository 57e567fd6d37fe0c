export { getRopeIndex, ropeIndexConfigOf, type RopeIndex, type RopeIndexConfig, type RopeIndexInput } from './rope-index.js';
