export { CheckpointError, type CheckpointErrorCode } from './errors.js';
export { type StoredDtype } from './dtype.js';
export {
  QWEN25_VL_ARCHITECTURE,
  parseQwen25VLConfig,
  qwen25VLConfigToJson,
  readQwen25VLConfig,
  type Qwen25VLConfig,
  type Qwen25VLVisionConfig,
} from './config.js';
export { expectedTensorShapes, parameterCount, toCanonicalName, toStoredName, type KeyLayout } from './names.js';
export {
  readSafetensorsHeader,
  readSafetensorsTensor,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors.js';
export { readCheckpoint, type CheckpointTensor, type Qwen25VLCheckpoint } from './read.js';
export { headerBytes, tensorSource, writeSafetensors, type SafetensorsWriteEntry, type TensorSource } from './write.js';
export { saveCheckpoint, type SaveCheckpointOptions, type SavedCheckpoint } from './save.js';
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  LLM_LINEAR_MODULES,
  adapterKey,
  llmLinearModules,
  llmTargetModulesPattern,
  matchesTargetModules,
  readAdapter,
  writeAdapter,
  type AdapterTensor,
  type LlmLinearModule,
  type LoraAdapterConfig,
  type LoraModule,
  type PeftAdapter,
  type WriteAdapterOptions,
} from './adapter.js';
