export type { VisionTowerConfig } from './config.js';
export { visionLayout, type VisionLayout } from './layout.js';
export { visionForward, visionWeightNames, type VisionWeightLookup } from './tower.js';
