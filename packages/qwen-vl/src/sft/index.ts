export {
  IGNORE_INDEX,
  collateSft,
  disposeSftBatch,
  sftMessages,
  type QwenSftExample,
  type SftBatch,
  type SftCollateOptions,
  type SftLossMask,
} from './collate.js';
export { optimizerTarget, sftLoss, sftStep, type SftStepOptions } from './loss.js';
